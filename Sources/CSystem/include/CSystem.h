#ifndef CSYSTEM_H
#define CSYSTEM_H

// System calls and variadic functions that Swift's Glibc module does not expose.
// Each wrapper is static inline and non-variadic so Swift can call it.

// No _GNU_SOURCE here: it would make these headers differ from Swift's Glibc module.
// The two GNU functions used are declared below instead.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/inotify.h>
#include <sys/mman.h>

extern int execvpe(const char *file, char *const argv[], char *const envp[]);
extern int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
extern int pipe2(int pipefd[2], int flags);

static inline int csys_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }
// Pseudo-terminals (pty(7)) and closefrom for posix_spawn: XSI and GNU declarations the default
// feature set hides. The launcher tests drive a shell on a pseudo-terminal with them.
extern int posix_openpt(int flags);
extern int grantpt(int fd);
extern int unlockpt(int fd);
extern int ptsname_r(int fd, char *buf, size_t len);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

// glibc's NSS switch (nsswitch.conf(5)): a fully static binary must not load the host's NSS modules
// (libnss_systemd, libnss_resolve, …), which would bring the host's libc.so with them.
extern int __nss_configure_lookup(const char *db, const char *service_line);
static inline int csys_nss_configure_lookup(const char *db, const char *services) {
    return __nss_configure_lookup(db, services);
}

static inline int csys_accept4(int fd, int flags) { return accept4(fd, NULL, NULL, flags); }

static inline int csys_set_dumpable(int on) { return prctl(PR_SET_DUMPABLE, on, 0, 0, 0); }
static inline int csys_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }
static inline int csys_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
static inline int csys_set_pdeathsig(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }

static inline int csys_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
static inline int csys_pidfd_send_signal(int pidfd, int sig) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static inline ssize_t csys_getrandom(void *buf, size_t len) { return getrandom(buf, len, 0); }

static inline int csys_signalfd(const sigset_t *mask) {
    return signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

static inline int csys_execvpe(const char *file, char *const argv[], char *const envp[]) {
    return execvpe(file, argv, envp);
}

static inline int csys_fcntl_setfl(int fd, int flags) { return fcntl(fd, F_SETFL, flags); }
static inline int csys_fcntl_getfl(int fd) { return fcntl(fd, F_GETFL); }

static inline int csys_tcgetpgrp(int fd) { return tcgetpgrp(fd); }

// WIFEXITED & co. are macros over the status word.
static inline int csys_wifexited(int s) { return WIFEXITED(s); }
static inline int csys_wexitstatus(int s) { return WEXITSTATUS(s); }
static inline int csys_wifsignaled(int s) { return WIFSIGNALED(s); }
static inline int csys_wtermsig(int s) { return WTERMSIG(s); }
static inline int csys_wifstopped(int s) { return WIFSTOPPED(s); }

static inline short csys_spawn_flags(int setpgroup) {
    return (short)(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (setpgroup ? POSIX_SPAWN_SETPGROUP : 0));
}

// SO_PEERCRED (unix(7)) fills a struct ucred, which glibc declares only under _GNU_SOURCE: the same
// three fields, declared here.
struct csys_ucred { pid_t pid; uid_t uid; gid_t gid; };
static inline int csys_peer_credentials(int fd, pid_t *pid, uid_t *uid) {
    struct csys_ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    *pid = cred.pid;
    *uid = cred.uid;
    return 0;
}

static inline int csys_inotify_init(void) { return inotify_init1(IN_CLOEXEC | IN_NONBLOCK); }
static inline int csys_inotify_watch_removals(int fd, const char *dir) {
    return inotify_add_watch(fd, dir, IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF);
}

// mlockall(2): MCL_ONFAULT (Linux 4.4) locks pages as they are touched instead of faulting in every
// mapping at once, which would make the whole binary resident.
static inline int csys_mlockall(int future) {
    return mlockall(MCL_CURRENT | (future ? MCL_FUTURE : 0) | 4 /* MCL_ONFAULT */);
}

// The build's identity for --version. scripts/build-release defines these with `-Xcc -DWRC_BUILD_…="…"`, so
// they live only on that build's command line: a plain `swift build` never sees them and says so honestly, and a
// changed value changes the command line, which rebuilds every module that reads it (never a stale value, nothing
// generated in the tree).
#ifndef WRC_BUILD_VERSION
#define WRC_BUILD_VERSION "0.0.0-dev"
#endif
#ifndef WRC_BUILD_COMMIT
#define WRC_BUILD_COMMIT "unknown"
#endif
#ifndef WRC_BUILD_TARGET
#define WRC_BUILD_TARGET "development build"
#endif
static inline const char *csys_build_version(void) { return WRC_BUILD_VERSION; }
static inline const char *csys_build_commit(void) { return WRC_BUILD_COMMIT; }
static inline const char *csys_build_target(void) { return WRC_BUILD_TARGET; }

#endif
