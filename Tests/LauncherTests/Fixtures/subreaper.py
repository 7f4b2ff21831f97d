#!/usr/bin/env python3
"""Runs a command as a child subreaper and reports what of it outlived it.

usage: subreaper.py [--no-pidfd] COMMAND...

As a subreaper (prctl PR_SET_CHILD_SUBREAPER), every process the command leaves behind is
re-parented to us when the command exits, whether still running or a zombie nobody reaped. After
the command ends we print `exit N` or `signal N`, then one `leftover PID STATE` line per such
process, then kill and reap them. --no-pidfd first installs a seccomp filter under which
pidfd_open(2) and pidfd_send_signal(2) fail with ENOSYS, as on kernels before 5.3.
"""
import ctypes
import os
import signal
import struct
import sys

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, PR_SET_CHILD_SUBREAPER = 38, 22, 36
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
ENOSYS = 38
# Generic syscall numbers, the same on x86_64 and aarch64.
PIDFD_SEND_SIGNAL, PIDFD_OPEN = 424, 434

libc = ctypes.CDLL(None, use_errno=True)


def no_pidfds():
    ld_nr, jeq, ret = 0x20, 0x15, 0x06   # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_RET|K
    program = [
        (ld_nr, 0, 0, 0),                                  # A = seccomp_data.nr
        (jeq, 2, 0, PIDFD_OPEN),                           # → errno
        (jeq, 1, 0, PIDFD_SEND_SIGNAL),                    # → errno
        (ret, 0, 0, SECCOMP_RET_ALLOW),
        (ret, 0, 0, SECCOMP_RET_ERRNO | ENOSYS),
    ]
    code = b"".join(struct.pack("HBBI", *insn) for insn in program)
    buffer = ctypes.create_string_buffer(code, len(code))

    class FProg(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = FProg(len(program), ctypes.addressof(buffer))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        sys.exit("PR_SET_NO_NEW_PRIVS: %s" % os.strerror(ctypes.get_errno()))
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        sys.exit("PR_SET_SECCOMP: %s" % os.strerror(ctypes.get_errno()))


def children():
    result = []
    for task in os.listdir("/proc/self/task"):
        with open("/proc/self/task/%s/children" % task) as f:
            result += [int(p) for p in f.read().split()]
    return result


def state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "?"


def main():
    args = sys.argv[1:]
    if args and args[0] == "--no-pidfd":
        no_pidfds()
        args = args[1:]
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("PR_SET_CHILD_SUBREAPER: %s" % os.strerror(ctypes.get_errno()))
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(args[0], args)
        finally:
            os._exit(127)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        print("signal %d" % os.WTERMSIG(status))
    else:
        print("exit %d" % os.WEXITSTATUS(status))
    left = children()
    for child in left:
        print("leftover %d %s" % (child, state(child)))
    sys.stdout.flush()
    for child in left:
        try:
            os.kill(child, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(child, 0)


main()
