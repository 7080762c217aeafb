/* Threads through fast breakpoints on a `call`, a `jcc rel32` and a `jmp rel32` while
   SIGALRM arrives every millisecond (tests/test_jump_pad_threads.py). Threads 0 and 2
   spin through sites whose condition is never true until thread 1, the only one with
   true hits, is done. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

#define ROUNDS 60000
static volatile long alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

static __thread int me;
static volatile long sums[3], mix[3], bad;
static volatile int done;

void step(void) {
    sums[me] += 1;
}

static void *spin(void *arg) {
    long i;
    me = (int)(long)arg;
    for (i = 0;; i++) {
        step();                                     /* FAST:call */
        if (done)                                   /* FAST:jcc */
            break;
        if (sums[me] != i + 1)
            bad++;
        mix[me] += (i * 3) ^ (i >> 2);
        mix[me] += (i * 5) ^ (i >> 3);
        mix[me] += (i * 7) ^ (i >> 4);
        mix[me] += (i * 11) ^ (i >> 5);
        mix[me] += (i * 13) ^ (i >> 6);
    }
    return NULL;
}

static void *lead(void *arg) {
    me = (int)(long)arg;
    while (sums[0] < 1000 || sums[2] < 1000)
        ;
    for (long i = 0; i < ROUNDS; i++) {
        step();                                     /* FAST:lead */
        mix[me] += i;
    }
    done = 1;
    return NULL;
}

int main(void) {
    pthread_t t[3];
    signal(SIGALRM, on_alarm);
    struct itimerval every = {{0, 1000}, {0, 1000}};
    setitimer(ITIMER_REAL, &every, NULL);
    for (long k = 0; k < 3; k++)
        pthread_create(&t[k], NULL, k == 1 ? lead : spin, (void *)k);
    for (int k = 0; k < 3; k++)
        pthread_join(t[k], NULL);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("lead %ld %ld spin %s alarms %s\n", sums[1], mix[1], bad ? "bad" : "ok",
           alarms > 0 ? "yes" : "no");
    return 0;
}
