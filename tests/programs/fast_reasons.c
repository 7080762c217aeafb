/* Fast conditions: one site per fallback reason, plus a bad pointer and a child process. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

struct node { int key; struct node *next; };

volatile long sink;
double ratio = 0.5;
struct node n2 = {2, NULL}, n1 = {1, &n2};

int work(int i, struct node *p, double d) {
    int k = i % 7;                                  /* FAST:work */
    sink += k + (p ? p->key : 0) + (long)d;
    return k;
}

int branchy(int i) {
    if (i > 3) return 1;                            /* FAST:branchy */
    return 0;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100;
    for (int i = 0; i < n; i++) {
        work(i, (i & 1) ? &n1 : NULL, ratio * i);
        sink += branchy(i);
    }
    pid_t child = fork();                           /* FAST:fork */
    if (child == 0) {
        for (int i = 0; i < 5; i++) work(i, &n1, 1.0);
        _exit(0);
    }
    int status = -1;
    waitpid(child, &status, 0);
    printf("sink %ld child status %d\n", sink, status);
    return 0;
}
