// scripts/bench-timer: times commands in one interleaved run (used by scripts/bench).
//
//   bench-timer [-n ROUNDS] [-w WARMUP] [-b BUDGET_S] -- NAME CMD [ARG...] ::: NAME CMD [ARG...] ...
//
// Each round runs every contender once, the order rotating by one each round, so drift in machine load
// (other builds on a 2-core box) hits every contender alike. A sample is CLOCK_MONOTONIC around
// posix_spawn + wait4 (stdin/stdout/stderr on /dev/null), plus the child's user+system CPU from wait4's
// rusage. Prints one TSV line per sample: round, name, wall_ns, cpu_us, status (the raw wait status).
// Stops early, after a whole round, once BUDGET_S seconds have passed.
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct { const char *name; char **argv; } contender;

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int run(const contender *c, long long *wall, long long *cpu_us) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int status = 0;
    struct rusage ru;
    long long t0 = now_ns();
    int rc = posix_spawnp(&pid, c->argv[0], &fa, NULL, c->argv, environ);
    if (rc == 0) {
        while (wait4(pid, &status, 0, &ru) < 0) {}
    }
    long long t1 = now_ns();
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) { fprintf(stderr, "bench-timer: cannot start %s: %s\n", c->argv[0], strerror(rc)); exit(2); }
    *wall = t1 - t0;
    *cpu_us = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    return status;
}

int main(int argc, char **argv) {
    int rounds = 200, warmup = 3;
    double budget = 1e9;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-w") && i + 1 < argc) warmup = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-b") && i + 1 < argc) budget = atof(argv[++i]);
        else { fprintf(stderr, "bench-timer: unknown option %s\n", argv[i]); return 2; }
    }
    if (i >= argc) { fprintf(stderr, "usage: bench-timer [-n N] [-w N] [-b S] -- NAME CMD... ::: NAME CMD...\n"); return 2; }
    i++;
    contender cs[16];
    int n = 0;
    while (i < argc && n < 16) {
        cs[n].name = argv[i++];
        cs[n].argv = &argv[i];
        while (i < argc && strcmp(argv[i], ":::") != 0) i++;
        if (i < argc) argv[i++] = NULL;   // terminates this contender's argv
        if (cs[n].argv[0] == NULL) { fprintf(stderr, "bench-timer: %s has no command\n", cs[n].name); return 2; }
        n++;
    }
    if (n == 0) return 2;
    long long start = now_ns();
    for (int r = -warmup; r < rounds; r++) {
        for (int k = 0; k < n; k++) {
            const contender *c = &cs[((r % n) + n + k) % n];
            long long wall, cpu;
            int status = run(c, &wall, &cpu);
            if (r >= 0) printf("%d\t%s\t%lld\t%lld\t%d\n", r, c->name, wall, cpu, status);
        }
        if (r >= 0 && (now_ns() - start) / 1e9 > budget) break;
    }
    return 0;
}
