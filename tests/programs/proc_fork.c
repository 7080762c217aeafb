/* Processes: fork children that run breakpointed code, vfork + exec, exec of
   ourselves (from main or a worker thread), and the ways a process ends. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile long work_calls;
static char **saved_argv;

__attribute__((noinline)) int work(int i)
{
    work_calls++;
    return i + 1;
}

__attribute__((noinline)) void mark(void)
{
    work_calls++;
}

static int mode_fork(int n)
{
    int ok = 0;
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0)
            _exit(work(i) == i + 1 ? 0 : 1);
        work(i);
        int st;
        waitpid(p, &st, 0);
        ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    printf("children ok=%d parent calls=%ld\n", ok, work_calls);
    return ok == n ? 0 : 1;
}

static int mode_vfork(void)
{
    pid_t p = vfork();
    if (p == 0) {
        mark();                       /* runs in the parent's memory */
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    mark();
    int st;
    waitpid(p, &st, 0);
    printf("vfork child status=%d exited=%d\n", WEXITSTATUS(st), WIFEXITED(st));
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

__attribute__((noinline)) int stage2_main(void)
{
    printf("stage2 running\n");
    return 5;
}

static void *exec_from_thread(void *arg)
{
    (void)arg;
    execl("/proc/self/exe", saved_argv[0], "stage2", (char *)NULL);
    return NULL;
}

static int mode_exec(int from_thread)
{
    if (!from_thread) {
        execl("/proc/self/exe", saved_argv[0], "stage2", (char *)NULL);
        return 9;
    }
    pthread_t t;
    pthread_create(&t, NULL, exec_from_thread, NULL);
    for (;;)
        pause();
}

__attribute__((noinline)) void before_exit(void)
{
    work_calls++;
}

int main(int argc, char **argv)
{
    saved_argv = argv;
    const char *mode = argc > 1 ? argv[1] : "fork";
    if (!strcmp(mode, "fork"))
        return mode_fork(argc > 2 ? atoi(argv[2]) : 50);
    if (!strcmp(mode, "vfork"))
        return mode_vfork();
    if (!strcmp(mode, "exec"))
        return mode_exec(0);
    if (!strcmp(mode, "exec_thread"))
        return mode_exec(1);
    if (!strcmp(mode, "stage2"))
        return stage2_main();
    if (!strcmp(mode, "ret3"))
        return 3;
    if (!strcmp(mode, "abort"))
        abort();
    if (!strcmp(mode, "sigkill"))
        kill(getpid(), SIGKILL);
    if (!strcmp(mode, "exit3")) {
        before_exit();
        exit(3);
    }
    return 2;
}
