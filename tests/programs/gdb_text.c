/* Types and a call chain for tests/test_gdb_text.py: ptype/whatis bodies, the
 * selected frame in list/print/x/info frame/info locals, finish's banner.
 * Lines are found by their "MARK:" comments. */
#include <stdio.h>

enum mode { M_OFF, M_ON = 4, M_AUTO };
typedef enum mode mode_t2;

struct point { int x, y; };
typedef struct point point_t;

struct flags {
    unsigned int flag : 1;
    unsigned int level : 3;
    signed int delta : 4;
    int plain;
};

union word { int i; float f; unsigned char bytes[4]; };

struct record {
    const char *name;
    struct point corners[2];
    point_t origin;
    struct flags fl;
    union word w;
    struct {
        int inner_a;
        struct { char deep; long deeper; } nest;
    } anon;
    union { int as_int; double as_double; };
    enum mode mode;
    int (*op)(int, int);
    void (*callbacks[2])(struct record *, const char *);
    struct record *next;
    char tail[3];
};
typedef struct record record_t;
typedef record_t *record_ptr;

static int combine(int a, int b)
{
    return a * 10 + b;
}

record_t the_record = { "rec", { { 1, 2 }, { 3, 4 } }, { 5, 6 }, { 1, 5, -3, 9 } };
record_ptr the_ptr = &the_record;

int leaf(int depth, const char *tag)
{
    int local_leaf = depth * 3;
    char buf[8] = "leaf";
    local_leaf += buf[0];                 /* MARK:leaf */
    return local_leaf + (tag[0] == 'x');
}

int middle(int depth, record_t *r)
{
    int local_mid = depth + r->origin.x;
    long wide = 77;
    local_mid += leaf(depth + 1, "tag"); /* MARK:middle-call */
    return local_mid + (int)wide;
}

int top(int n)
{
    int local_top = n * 2;
    point_t pt = { n, -n };
    the_record.op = combine;
    local_top += middle(n, &the_record); /* MARK:top-call */
    return local_top + pt.x;
}

int main(void)
{
    int result = top(3);                  /* MARK:main-call */
    printf("%d\n", result);
    return 0;
}
