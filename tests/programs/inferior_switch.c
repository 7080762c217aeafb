/* Two inferiors for `inferior N` (set detach-on-fork off): the parent and the child of
   one fork each run their own function; the parent reaps the child at the end. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int shared = 1;

__attribute__((noinline)) int child_work(int n)
{
    shared = n * 10;                     /* MARK:child_body */
    return shared + 1;
}

__attribute__((noinline)) int parent_work(int n)
{
    shared = n * 100;                    /* MARK:parent_body */
    return shared + 2;
}

int main(void)
{
    int got = 0;
    pid_t p = fork();                    /* MARK:fork */
    if (p == 0)
        return child_work(4) == 41 ? 0 : 1;
    got = parent_work(3);                /* MARK:parent_call */
    int st = 0;
    waitpid(p, &st, 0);
    printf("parent got=%d child status=%d\n", got, WEXITSTATUS(st));   /* MARK:parent_end */
    return 0;
}
