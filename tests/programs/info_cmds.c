/* `info address/symbol/line/source/proc`, `show`, `print pretty`, frame-arguments and
 * `watch -l`, diffed against gdb 13 by tests/test_info_commands.py and
 * tests/test_show_set.py. Lines are found by their "MARK:" comments. */
#include <stdio.h>

struct point { int x, y; };
struct box {
    const char *name;
    struct point corner[2];
    struct { int depth; char tag; } inner;
    int ids[3];
};

int g = 7;
static long s_count = 3;
struct box the_box = { "box", { { 1, 2 }, { 3, 4 } }, { 5, 'q' }, { 9, 8, 7 } };
struct point points[2] = { { 10, 20 }, { 30, 40 } };
struct point *gp;
volatile int sink;

int add(int a, int b)
{
    int sum = a + b;
    return sum;                                 /* MARK:add-return */
}

static int weigh(struct box b, struct point *p, int scale, char c)
{
    int w = b.ids[0] * scale + p->x + c;        /* MARK:weigh */
    return w;
}

static void move(struct point *p)
{
    struct point local = *p;
    gp = p;
    local.x += 1;                               /* MARK:move */
    p->x = local.x;
    p->y = 5;
}

int main(void)
{
    static int calls;
    struct point here = { 1, 2 };
    calls++;
    sink = add(g, 2);
    sink = weigh(the_box, &here, 2, 'z');
    move(&here);
    here.x = 99;                                /* MARK:after-move */
    here.y = 98;
    sink = here.x + (int)s_count + calls;
    printf("done %d\n", sink);
    return 0;
}
