/* Signals under a tracer: delivery, re-injection, SIGTRAPs that are not ours,
   a breakpoint that a signal handler also runs, stop/cont from outside. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile long hot_calls, in_handler, handler_hot, main_hot;
static volatile int counts[65];
static volatile int trapped, wrong_thread;
static volatile pid_t target_tid;

__attribute__((noinline)) void hot(void)
{
    hot_calls++;
}

static void on_alarm(int sig)
{
    (void)sig;
    /* Not every time: at 1 kHz a tracer stopping on each call would never let main run. */
    if (in_handler++ % 3 == 0) {
        hot();
        handler_hot++;   /* counted apart: main's counter is not signal-safe to share */
    }
}

static void count(int sig)
{
    counts[sig]++;
    if (sig == SIGUSR2 && syscall(SYS_gettid) != target_tid)
        wrong_thread++;
}

static void on_trap(int sig)
{
    (void)sig;
    trapped++;
}

static int mode_alarm(int loops)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 1000}, {0, 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
    for (int i = 0; i < loops; i++) {
        hot();
        main_hot++;
        for (volatile int k = 0; k < 20000; k++)
            ;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("hot=%ld handler=%ld\n", main_hot + handler_hot, handler_hot);
    return 0;
}

static int mode_int3(void)
{
    int n = 0;
    for (int i = 0; i < 10; i++) {
        __asm__ volatile("int3");
        n++;
    }
    printf("int3 loops=%d\n", n);
    return n == 10 ? 0 : 1;
}

static int mode_raise_trap(void)
{
    signal(SIGTRAP, on_trap);
    raise(SIGTRAP);
    printf("trapped=%d\n", trapped);
    return trapped == 1 ? 0 : 1;
}

static void *sleeper(void *arg)
{
    (void)arg;
    target_tid = syscall(SYS_gettid);
    while (counts[SIGUSR2] < 3)
        usleep(1000);
    return NULL;
}

/* Twenty signals of several kinds, counted by their handlers. */
static int mode_many(void)
{
    int sigs[] = {SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD, SIGWINCH, SIGURG, SIGHUP, SIGPIPE, SIGPROF};
    struct sigaction sa = {0};
    sa.sa_handler = count;
    sa.sa_flags = SA_RESTART;
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    for (int i = 0; i < 5; i++)
        raise(SIGUSR1);
    for (int i = 0; i < 3; i++) {            /* SIGCHLD from real children */
        pid_t p = fork();
        if (p == 0)
            _exit(0);
        waitpid(p, NULL, 0);
    }
    kill(getpid(), SIGWINCH);
    kill(getpid(), SIGURG);
    raise(SIGHUP);
    raise(SIGHUP);
    raise(SIGPIPE);
    raise(SIGPROF);
    sigset_t alrm, old;                      /* no race: the alarm cannot come before we wait */
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigprocmask(SIG_BLOCK, &alrm, &old);
    ualarm(20000, 0);
    sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    raise(SIGALRM);
    raise(SIGALRM);
    pthread_t t;
    target_tid = 0;
    pthread_create(&t, NULL, sleeper, NULL);
    while (!target_tid)
        usleep(1000);
    for (int i = 0; i < 3; i++) {            /* thread-directed: must reach that thread */
        syscall(SYS_tgkill, getpid(), target_tid, SIGUSR2);
        usleep(2000);
    }
    pthread_join(t, NULL);
    int total = 0;
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        printf("%s=%d ", strsignal(sigs[i]), counts[sigs[i]]);
        total += counts[sigs[i]];
    }
    printf("total=%d wrong_thread=%d\n", total, wrong_thread);
    return 0;
}

static int mode_sigpipe(void)
{
    int fds[2];
    if (pipe(fds) < 0)
        return 3;
    close(fds[0]);
    write(fds[1], "x", 1);
    return 4;                               /* not reached: SIGPIPE kills us */
}

static int mode_naps(int n)
{
    long done = 0;
    for (int i = 0; i < n; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
        done++;
    }
    printf("naps=%ld\n", done);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "alarm";
    if (!strcmp(mode, "alarm"))
        return mode_alarm(argc > 2 ? atoi(argv[2]) : 2000);
    if (!strcmp(mode, "int3"))
        return mode_int3();
    if (!strcmp(mode, "raise_trap"))
        return mode_raise_trap();
    if (!strcmp(mode, "many"))
        return mode_many();
    if (!strcmp(mode, "sigpipe"))
        return mode_sigpipe();
    if (!strcmp(mode, "naps"))
        return mode_naps(argc > 2 ? atoi(argv[2]) : 100);
    return 2;
}
