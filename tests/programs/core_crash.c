/* A program that dies of SIGSEGV in crash() with two worker threads parked in a
   loop, for core files: gdb's `gcore` and tdbg's `generate-core-file` freeze it at
   the fault, and tdbg reads the cores back (tests/test_core_files.py). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile int parked;
static char banner[32];

__attribute__((noinline)) void crash(int *p)
{
    *p = 1;                                     /* MARK:fault */
}

__attribute__((noinline)) int middle(int depth, const char *tag)
{
    int local = depth * 7;
    char word[8] = "";
    strcpy(word, tag);
    if (depth > 0)
        return middle(depth - 1, tag) + local;
    crash(NULL);
    return local + word[0];
}

static void *worker(void *arg)
{
    long id = (long)arg;
    __sync_fetch_and_add(&parked, 1);
    for (;;)
        pause();                                /* MARK:worker */
    return (void *)id;
}

int main(void)
{
    pthread_t t[2];
    strcpy(banner, "core file test");
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    while (parked < 2)
        usleep(1000);
    printf("%s\n", banner);
    fflush(stdout);
    return middle(2, "abc");
}
