/* Catchpoints: a program whose mode makes one kind of event at a time (a write
   syscall, fork, vfork, exec, signals), each a bounded number of times. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int got;

static void on_usr1(int sig)
{
    got += sig;
}

__attribute__((noinline)) int after(int n)
{
    return n + 1;
}

static int mode_write(void)
{
    write(1, "one\n", 4);
    write(1, "two\n", 4);
    return after(0);
}

static int mode_fork(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(after(1) == 2 ? 0 : 1);
    int st;
    waitpid(p, &st, 0);
    printf("child status=%d\n", WEXITSTATUS(st));
    int r = after(0);                 /* a breakpoint here must not kill a parent let go */
    printf("parent done\n");
    return r == 1 ? 0 : 1;
}

static int mode_vfork(void)
{
    pid_t p = vfork();
    if (p == 0) {
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(p, &st, 0);
    printf("vfork status=%d\n", WEXITSTATUS(st));
    return 0;
}

static int mode_signal(void)
{
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    raise(SIGUSR1);
    printf("got=%d\n", got);
    return after(0) == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "write";
    if (!strcmp(mode, "write"))
        return mode_write();
    if (!strcmp(mode, "fork"))
        return mode_fork();
    if (!strcmp(mode, "vfork"))
        return mode_vfork();
    if (!strcmp(mode, "exec")) {
        execl("/bin/true", "true", (char *)NULL);
        return 9;
    }
    if (!strcmp(mode, "signal"))
        return mode_signal();
    return 2;
}
