/* Threads under all-stop: hits racing in from several threads, thread churn,
   the leader leaving first, and exit_group while a breakpoint is hammered. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NTHREADS 4
#define ROUNDS 1000

static pthread_barrier_t barrier;
static volatile long counts[NTHREADS];
static volatile long sums[NTHREADS];
static volatile int stop_flag;
static volatile int started;

__attribute__((noinline)) void hit(int id, int i)
{
    counts[id]++;
    sums[id] += i;
}

static void *barrier_worker(void *arg)
{
    int id = (int)(long)arg;
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < ROUNDS; i++)
        hit(id, i);
    return NULL;
}

__attribute__((noinline)) void *burst_worker(void *arg)
{
    volatile long *slot = arg;
    *slot = syscall(SYS_gettid);
    return NULL;
}

static void *hammer(void *arg)
{
    int id = (int)(long)arg;
    long mine = 0;
    __sync_fetch_and_add(&started, 1);
    while (!stop_flag) {
        hit(id, 1);
        mine++;
    }
    return (void *)mine;
}

static void *run_to_exit7(void *arg)
{
    usleep(20000 + 1000 * (int)(long)arg);
    exit(7);
}

static int mode_barrier(void)
{
    pthread_t t[NTHREADS];
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    for (long i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], NULL, barrier_worker, (void *)i);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    long total = 0, ok = 1;
    for (int i = 0; i < NTHREADS; i++) {
        total += counts[i];
        ok &= counts[i] == ROUNDS && sums[i] == (long)ROUNDS * (ROUNDS - 1) / 2;
    }
    printf("total=%ld ok=%ld\n", total, ok);
    return ok ? 0 : 1;
}

static int mode_burst(void)
{
    static volatile long slots[200];
    for (int b = 0; b < 20; b++) {
        pthread_t t[10];
        for (int i = 0; i < 10; i++)
            pthread_create(&t[i], NULL, burst_worker, (void *)&slots[b * 10 + i]);
        for (int i = 0; i < 10; i++)
            pthread_join(t[i], NULL);
    }
    int ran = 0;
    for (int i = 0; i < 200; i++)
        ran += slots[i] != 0;
    printf("ran=%d\n", ran);
    return ran == 200 ? 0 : 1;
}

static int mode_leader_exit(void)
{
    pthread_t t;
    for (long i = 0; i < 3; i++)
        pthread_create(&t, NULL, run_to_exit7, (void *)i);
    pthread_exit(NULL);
}

/* Hammer hit() from NTHREADS threads; stop when a line arrives on stdin (or after
   argv seconds), then check every thread's calls were counted once. */
static int mode_hammer(int seconds, int exit_early_ms)
{
    pthread_t t[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], NULL, hammer, (void *)i);
    while (started < NTHREADS)
        usleep(1000);
    if (exit_early_ms) {
        usleep(exit_early_ms * 1000);
        _exit(0);
    }
    if (seconds) {
        sleep(seconds);
    } else {
        char buf[16];
        if (read(0, buf, sizeof buf) < 0)
            return 3;
    }
    stop_flag = 1;
    int ok = 1;
    long total = 0;
    for (int i = 0; i < NTHREADS; i++) {
        void *mine;
        pthread_join(t[i], &mine);
        ok &= (long)mine == counts[i];
        total += counts[i];
    }
    printf("hammer ok=%d total=%ld\n", ok, total);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "barrier";
    if (!strcmp(mode, "barrier"))
        return mode_barrier();
    if (!strcmp(mode, "burst"))
        return mode_burst();
    if (!strcmp(mode, "leader_exit"))
        return mode_leader_exit();
    if (!strcmp(mode, "exit_storm"))
        return mode_hammer(0, 10);
    if (!strcmp(mode, "hammer"))
        return mode_hammer(argc > 2 ? atoi(argv[2]) : 0, 0);
    return 2;
}
