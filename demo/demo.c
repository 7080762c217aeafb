/* tdbg demo: a linked list, recursion, structs, a loop and a signal handler. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum color { RED, GREEN, BLUE };

struct point {
    int x, y;
};

struct node {
    int value;
    struct node *next;
};

struct shape {
    const char *name;
    enum color color;
    struct point corners[2];
    unsigned flags : 3;
    double area;
};

static int signals_seen;
int global_counter = 0;

static void on_usr1(int sig)
{
    signals_seen++;
    global_counter += sig;
}

static struct node *push(struct node *head, int value)
{
    struct node *n = malloc(sizeof *n);
    n->value = value;
    n->next = head;
    return n;
}

static int list_sum(const struct node *head)
{
    int sum = 0;
    for (const struct node *n = head; n; n = n->next)
        sum += n->value;
    return sum;
}

int factorial(int n)
{
    if (n <= 1)
        return 1;
    return n * factorial(n - 1);
}

double shape_area(const struct shape *s)
{
    int w = s->corners[1].x - s->corners[0].x;
    int h = s->corners[1].y - s->corners[0].y;
    return (double)w * h;
}

int tick(int i)
{
    global_counter += i & 1;
    return global_counter;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    struct node *list = NULL;
    struct shape box = { "box", GREEN, { { 1, 2 }, { 4, 6 } }, 5, 0.0 };

    signal(SIGUSR1, on_usr1);
    for (int i = 0; i < rounds; i++)
        list = push(list, i * i);
    printf("sum of squares below %d: %d\n", rounds, list_sum(list));

    box.area = shape_area(&box);
    printf("%s area %.1f\n", box.name, box.area);

    int f = factorial(6);
    printf("6! = %d\n", f);

    for (int i = 0; i < 1000; i++)
        tick(i);
    raise(SIGUSR1);
    printf("counter %d, signals %d\n", global_counter, signals_seen);

    while (list) {
        struct node *next = list->next;
        free(list);
        list = next;
    }
    return 0;
}
