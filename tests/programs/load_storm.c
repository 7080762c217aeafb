/* Load with signals (issue 12): a 1 kHz SIGALRM whose handler calls a function of
   its own while the main line calls another, and ("storm") busy threads plus that
   timer, for attach/detach cycles. Every count is checked by the program itself. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define NTHREADS 3

volatile long handled, outside_calls, ticks;
static volatile long counts[NTHREADS];
static volatile int stop_flag;
static volatile int started;

__attribute__((noinline)) void in_handler(void)
{
    handled++;                                      /* IN-HANDLER */
}

__attribute__((noinline)) void outside(long i)
{
    outside_calls += i >= 0;                        /* OUTSIDE */
}

static void on_alarm(int sig)
{
    ticks++;
    if (sig == SIGALRM)
        in_handler();
}

static void on_usr1(int sig)
{
    stop_flag = sig;
}

static void start_timer(void)
{
    struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
}

static void stop_timer(void)
{
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
}

/* Runs until argv[2] timer ticks were handled; outside() once per tick seen. */
static int mode_alarm(long want)
{
    start_timer();
    long last = -1, n = 0;
    for (long i = 0; ticks < want && i < 20000000000L; i++) {
        if (ticks != last) {
            last = ticks;
            outside(n++);
        }
    }
    stop_timer();
    int ok = handled == ticks && outside_calls == n;
    printf("alarm ok=%d ticks=%ld calls=%ld\n", ok, ticks, n);
    return ok ? 0 : 1;
}

/* The same timer and a plain loop to step through while it fires. */
static int mode_steps(long want)
{
    start_timer();
    long i = 0;
    while (ticks < want && i < 1000000000L) {
        outside(i);                                 /* STEPS-LOOP */
        i++;
    }
    stop_timer();
    printf("steps ok=%d\n", handled == ticks && outside_calls == i);
    return 0;
}

__attribute__((noinline)) void work(int id)
{
    counts[id]++;
}

static void *busy(void *arg)
{
    int id = (int)(long)arg;
    long mine = 0;
    __sync_fetch_and_add(&started, 1);
    while (!stop_flag) {
        work(id);
        mine++;
    }
    return (void *)mine;
}

/* Busy threads and the timer until SIGUSR1; then each thread's own tally must
   match what work() counted. */
static int mode_storm(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], NULL, busy, (void *)i);
    while (started < NTHREADS)
        usleep(1000);
    start_timer();
    printf("ready\n");
    fflush(stdout);
    while (!stop_flag)
        pause();
    int ok = 1;
    for (int i = 0; i < NTHREADS; i++) {
        void *mine;
        pthread_join(t[i], &mine);
        ok &= (long)mine == counts[i];
    }
    ok &= handled == ticks;
    printf("storm ok=%d ticks=%ld\n", ok, ticks);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "alarm";
    if (!strcmp(mode, "alarm"))
        return mode_alarm(argc > 2 ? atol(argv[2]) : 200);
    if (!strcmp(mode, "steps"))
        return mode_steps(argc > 2 ? atol(argv[2]) : 200);
    if (!strcmp(mode, "storm"))
        return mode_storm();
    return 2;
}
