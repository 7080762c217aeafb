/* dprintf lines while the program runs (tests/test_dprintf_live.py).
   live N PATH: N notes, then "waiting" and sleep until the file PATH exists.
   threads T N [alarm]: T threads of N notes each at once; "total=... ok=1" checks the
   sums. alarm: SIGALRM every 200 us meanwhile (often inside the jump pad). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile long sums[16];
static long per_thread;
static volatile long alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

void note(int who, int i) {
    sums[who] += i;                                 /* LOG:note */
}

static void *run(void *arg) {
    int who = (int)(long)arg;
    for (long i = 0; i < per_thread; i++)
        note(who, (int)i);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "live") == 0) {
        int n = atoi(argv[2]);
        for (int i = 0; i < n; i++)
            note(0, i);
        printf("waiting\n");
        fflush(stdout);
        while (access(argv[3], F_OK) != 0)
            usleep(2000);
        printf("released\n");
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "threads") == 0) {
        int t = atoi(argv[2]);
        per_thread = atol(argv[3]);
        if (argc == 5 && strcmp(argv[4], "alarm") == 0) {
            signal(SIGALRM, on_alarm);
            struct itimerval every = {{0, 200}, {0, 200}};
            setitimer(ITIMER_REAL, &every, NULL);
        }
        pthread_t th[16];
        for (long k = 0; k < t && k < 16; k++)
            pthread_create(&th[k], NULL, run, (void *)k);
        long total = 0, ok = 1;
        for (int k = 0; k < t && k < 16; k++) {
            pthread_join(th[k], NULL);
            total += sums[k];
            ok &= sums[k] == per_thread * (per_thread - 1) / 2;
        }
        struct itimerval off = {{0, 0}, {0, 0}};
        setitimer(ITIMER_REAL, &off, NULL);
        printf("total=%ld ok=%ld\n", total, ok);
        return 0;
    }
    fprintf(stderr, "usage: log_live live N PATH | threads T N [alarm]\n");
    return 2;
}
