/* Hardware watchpoints: a global written a few times, read, and written from threads. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

int global_counter;
long shared_total;
short small_one;
char byte_one;
long other_a, other_b, other_c, other_d, other_e;
volatile int sink;

static void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++)
        __atomic_fetch_add(&shared_total, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "five";
    if (!strcmp(mode, "five")) {
        for (int i = 1; i <= 5; i++)
            global_counter = i * 10;
        sink = global_counter;
        printf("counter=%d\n", global_counter);
        return 0;
    }
    if (!strcmp(mode, "rw")) {
        global_counter = 1;
        sink = global_counter;
        sink = global_counter + 1;
        small_one = 7;
        byte_one = 3;
        printf("sink=%d\n", sink);
        return 0;
    }
    if (!strcmp(mode, "threads")) {
        pthread_t t[4];
        for (int i = 0; i < 4; i++)
            pthread_create(&t[i], NULL, writer, NULL);
        for (int i = 0; i < 4; i++)
            pthread_join(t[i], NULL);
        printf("total=%ld\n", shared_total);
        return shared_total == 400 ? 0 : 1;
    }
    return 2;
}
