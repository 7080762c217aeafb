/* Changing the flow of the program: inferior calls (`print f(1)`, `call`), `return`,
   `jump`, `starti`, attach/detach/kill. Markers name the lines tests look up. */
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum color { RED, GREEN, BLUE };

struct pair { int a, b; };

int counter;
double last_scale;

int add(int a, int b)
{
    int sum = a + b;                     /* MARK:add_body */
    return sum;                          /* MARK:add_ret */
}

long many(long a, long b, long c, long d, long e, long f, long g, long h)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

double scale(double x, float y, int k)
{
    last_scale = x * y + k;
    return last_scale;
}

char next_char(char c) { return c + 1; }

bool is_even(int n) { return n % 2 == 0; }

enum color rotate(enum color c) { return (enum color)((c + 1) % 3); }

int sum_pair(struct pair *p) { return p->a + p->b; }

struct pair make_pair(int a, int b)
{
    struct pair p = { a, b };
    return p;
}

struct big { long a, b, c; };

struct mixed { double d; int i; };

struct big make_big(long a)
{
    struct big b = { a, a * 2, a * 3 };
    return b;
}

long big_sum(struct big b) { return b.a + b.b + b.c; }

struct mixed make_mixed(double d, int i)
{
    struct mixed m = { d, i };
    return m;
}

double mixed_sum(struct mixed m) { return m.d + m.i; }

double mean9(double a, double b, double c, double d, double e, double f, double g,
             double h, double i)
{
    return (a + b + c + d + e + f + g + h + i) / 9;
}

long double ld_twice(long double x)
{
    return x * 2;                        /* MARK:ld_body */
}

void quit_now(int code) { exit(code); }

void bump(int by) { counter += by; }

int crash(int *p) { return *p; }

int stopper(int n)
{
    int twice = n * 2;                   /* MARK:stopper_body */
    return twice;
}

size_t length(const char *s) { return strlen(s); }

double half(double x)
{
    return x / 2;                        /* MARK:half_body */
}

int depth2(int n)
{
    return add(n, 100);                  /* MARK:depth2_call */
}

int main(int argc, char **argv)
{
    struct pair pr = { 3, 4 };
    int x = 5;                           /* MARK:main_first */
    int r = add(x, 2);                   /* MARK:main_add */
    double h = half(5.0);                /* MARK:main_half */
    long double big = ld_twice(1.5);
    r += depth2(r);                      /* MARK:main_depth2 */
    x = 10;                              /* MARK:main_x10 */
    x = 20;                              /* MARK:main_x20 */
    printf("r=%d x=%d h=%g big=%Lg pair=%d\n", r, x, h, big, sum_pair(&pr));   /* MARK:main_print */
    if (argc > 1 && strcmp(argv[1], "sleep") == 0) {
        for (;;)
            sleep(100);                  /* MARK:main_sleep (long: an attach finds it asleep) */
    }
    return 0;                            /* MARK:main_end */
}
