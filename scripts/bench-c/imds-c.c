// The C yardstick of scripts/bench: the launcher's start-up job done by hand, as lean as C allows.
// One TCP connection, the 4 IMDSv2 requests (PUT token, GET role list, GET credentials, GET region),
// posix_spawnp of the command with the keys added to its environment, wait, exit with its status.
// No retries, no validation beyond what finding the values needs: a floor, not a product.
// Usage: imds-c http://HOST:PORT -- COMMAND [ARG...]   (HOST: an IPv4 literal)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static char buf[65536];

static void die(const char *what) { fprintf(stderr, "imds-c: %s\n", what); exit(125); }

// Sends one request and reads one Content-Length response into buf; returns the body.
static char *request(int fd, const char *method, const char *path, const char *hdr, size_t *len) {
    char req[1024];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: 169.254.169.254\r\n%s\r\n", method, path, hdr);
    if (send(fd, req, n, MSG_NOSIGNAL) != n) die("send");
    size_t got = 0;
    char *body = NULL;
    long clen = -1;
    for (;;) {
        ssize_t r = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (r <= 0) die("recv");
        got += r;
        buf[got] = 0;
        if (!body && (body = strstr(buf, "\r\n\r\n"))) {
            body += 4;
            char *cl = strcasestr(buf, "\r\nContent-Length:");
            clen = cl ? strtol(cl + 17, NULL, 10) : 0;
            if (strncmp(buf + 9, "200", 3) != 0) die("status");
        }
        if (body && (long)(got - (body - buf)) >= clen) break;
    }
    body[clen] = 0;
    *len = clen;
    return body;
}

// The string value of "key" in a flat JSON object (no escapes in the values IMDS sends).
static char *field(const char *json, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(json, pat);
    if (!p) die(key);
    p = strchr(p + strlen(pat), '"');
    if (!p) die(key);
    const char *e = strchr(p + 1, '"');
    return strndup(p + 1, e - p - 1);
}

int main(int argc, char **argv) {
    if (argc < 4 || strcmp(argv[2], "--") != 0 || strncmp(argv[1], "http://", 7) != 0) die("usage");
    char host[64];
    const char *colon = strchr(argv[1] + 7, ':');
    if (!colon) die("no port");
    snprintf(host, sizeof host, "%.*s", (int)(colon - argv[1] - 7), argv[1] + 7);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) die("host");
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) die("connect");

    size_t len;
    char tokhdr[256];
    char *token = request(fd, "PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n", &len);
    snprintf(tokhdr, sizeof tokhdr, "X-aws-ec2-metadata-token: %s\r\n", token);
    char *roles = request(fd, "GET", "/latest/meta-data/iam/security-credentials/", tokhdr, &len);
    char path[256];
    snprintf(path, sizeof path, "/latest/meta-data/iam/security-credentials/%.*s", (int)strcspn(roles, "\r\n"), roles);
    char *doc = request(fd, "GET", path, tokhdr, &len);
    char *key = field(doc, "AccessKeyId"), *secret = field(doc, "SecretAccessKey"), *session = field(doc, "Token"),
         *expiry = field(doc, "Expiration");
    char *region = strdup(request(fd, "GET", "/latest/meta-data/placement/region", tokhdr, &len));
    close(fd);

    size_t n = 0;
    while (environ[n]) n++;
    char **envp = calloc(n + 8, sizeof *envp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "AWS_", 4) != 0) envp[k++] = environ[i];
    char *add[][2] = {{"AWS_ACCESS_KEY_ID", key}, {"AWS_SECRET_ACCESS_KEY", secret}, {"AWS_SESSION_TOKEN", session},
                      {"AWS_SECURITY_TOKEN", session}, {"AWS_CREDENTIAL_EXPIRATION", expiry},
                      {"AWS_REGION", region}, {"AWS_DEFAULT_REGION", region}};
    for (size_t i = 0; i < 7; i++) {
        envp[k] = malloc(strlen(add[i][0]) + strlen(add[i][1]) + 2);
        sprintf(envp[k++], "%s=%s", add[i][0], add[i][1]);
    }
    envp[k] = NULL;
    pid_t pid;
    if (posix_spawnp(&pid, argv[3], NULL, NULL, argv + 3, envp) != 0) die("spawn");
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
