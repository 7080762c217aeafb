/* Stack and thread commands (tests/test_stack_thread_cmds.py): two named workers
   parked in a raw pause() syscall (their pc is fixed: the instruction after it),
   main recursing with locals in nested blocks down to bottom(), where tests stop. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NWORKERS 2

static volatile int parked;
static volatile int tids[NWORKERS];
const char *greeting = "hello";
char label[8] = "abc";
double ratio = 2.5;

__attribute__((noinline)) void park(int id)
{
    long r = 0;     /* never written: the syscall never returns */
    for (;;)
        __asm__ volatile("syscall" : "=a"(r) : "a"(SYS_pause) : "rcx", "r11", "memory");
    (void)id;
}

static void *worker(void *arg)
{
    int id = (int)(long)arg;
    char name[16];
    snprintf(name, sizeof name, "worker-%d", id);
    pthread_setname_np(pthread_self(), name);
    tids[id] = (int)syscall(SYS_gettid);
    __sync_fetch_and_add(&parked, 1);
    park(id);
    return NULL;
}

/* a worker counts as parked once the kernel shows it sleeping (in pause) */
static int sleeping(int tid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' && p[2] == 'S';
}

__attribute__((noinline)) void bottom(void)
{
    __asm__ volatile("" ::: "memory");  /* BOTTOM */
}

__attribute__((noinline)) int recurse(int depth, int acc)
{
    int local = depth * 10 + acc;
    if (depth == 0) {
        int inner = local + 1;
        {
            int deepest = inner * 2;
            bottom();                   /* CALL-BOTTOM */
            acc += deepest;
        }
        return acc + inner;
    }
    return recurse(depth - 1, acc + 1) + local;
}

int main(void)
{
    pthread_t t[NWORKERS];
    for (long i = 0; i < NWORKERS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int tries = 0; tries < 20000; tries++) {
        int all = parked == NWORKERS;
        for (int i = 0; all && i < NWORKERS; i++)
            all = sleeping(tids[i]);
        if (all)
            break;
        usleep(1000);
    }
    int total = 0;
    total = recurse(2, 1);
    printf("total=%d\n", total);
    return 0;
}
