/* Fast conditions with four threads running through the same site at once, while
   SIGALRM arrives every 200 us (often inside the jump pad). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

static volatile long alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

static volatile long sums[4];

int bump(int who, int i) {
    sums[who] += i;                                 /* FAST:bump */
    return i;
}

static void *run(void *arg) {
    int who = (int)(long)arg;
    for (int i = 0; i < 200000; i++)
        bump(who, i);
    return NULL;
}

int main(void) {
    pthread_t t[4];
    signal(SIGALRM, on_alarm);
    struct itimerval every = {{0, 200}, {0, 200}};
    setitimer(ITIMER_REAL, &every, NULL);
    for (long k = 0; k < 4; k++)
        pthread_create(&t[k], NULL, run, (void *)k);
    for (int k = 0; k < 4; k++)
        pthread_join(t[k], NULL);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("sums %ld %ld %ld %ld alarms %s\n", sums[0], sums[1], sums[2], sums[3],
           alarms > 0 ? "yes" : "no");
    return 0;
}
