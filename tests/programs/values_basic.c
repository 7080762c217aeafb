/* Values of every C shape, for differential tests of tdbg's formatting against gdb.
 * Stop lines are marked with "BREAK:<tag>" comments; tests find them by text. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum color { RED, GREEN, BLUE };
enum perm { P_READ = 1, P_WRITE = 2, P_EXEC = 4 };
enum sparse { S_ONE = 1, S_TEN = 10, S_MINUS = -3 };

struct point { int x, y; };
struct node { int value; struct node *next; };
struct bits {
    unsigned a : 3;
    signed b : 5;
    unsigned c : 1;
    int d : 7;
    unsigned long e : 40;
    bool flag : 1;
};
union num { int i; float f; unsigned char bytes[4]; };
struct shape {
    const char *name;
    enum color color;
    struct point corners[2];
    unsigned flags : 3;
    double area;
    union num u;
    struct { int inner_a; char inner_b; } anon;
    int (*op)(int, int);
};
typedef struct point point_t;
typedef int (*binop_t)(int, int);
typedef unsigned int uint_t;

int global_int = 42;
static int file_static = 7;               /* values_other.c has its own */
const char *global_str = "hello, world";
int global_arr[20] = { 1, 2, 3 };
char global_buf[32] = "abc";
struct node global_nodes[3];
double global_matrix[2][3] = { { 1.5, 2.25, -3 }, { 0.1, 1e100, 1e-5 } };
unsigned char global_bytes[6] = { 0, 1, 'A', 200, '\n', 255 };
long double global_ld = 0.1L;
float global_float = 0.1f;
point_t global_pt = { -5, 9 };
enum perm global_perm = P_READ | P_EXEC;
short global_shorts[4] = { -1, 32767, -32768, 0 };
char global_long_text[300];
int global_zeros[100];
char *global_null_str;
char *global_bad_str = (char *)16;

int other_file_static(void);

int add(int a, int b)
{
    return a + b;
}

int mul(int a, int b)
{
    return a * b;
}

static int use_all(const void *p, ...)
{
    return p != 0;
}

int shadowing(int n)
{
    int localval = n;
    int outer_only = n * 2;
    {
        int localval = n + 100;
        int inner_only = 3;
        {
            char localval = 'z';
            use_all(&localval, &inner_only, &outer_only);   /* BREAK:shadow */
        }
        use_all(&localval);
    }
    return localval + outer_only;
}

struct big_args { long a, b, c; };

double many_args(int i1, long l2, char c3, double d4, float f5, struct point p6,
                 struct big_args b7, const char *s8, int i9, unsigned short u10)
{
    double r = i1 + l2 + c3 + d4 + f5 + p6.x + b7.c + s8[0] + i9 + u10;
    return r;                                           /* BREAK:args */
}

int all_locals(int argc)
{
    signed char sc = -5;
    unsigned char uc = 200;
    char c = 'A';
    char nl = '\n';
    char quote = '\'';
    char bslash = '\\';
    char nul = 0;
    short s = -1234;
    unsigned short us = 65535;
    int i = -1;
    unsigned int u = 4000000000u;
    long l = -9000000000L;
    unsigned long ul = 18446744073709551615ul;
    long long ll = 1LL << 62;
    unsigned long long ull = 12345678901234567890ull;
    bool yes = true, no = false;
    int8_t i8 = -8;
    uint8_t u8 = 8;
    int64_t i64 = -64;
    float f = 3.5f;
    float f3 = 1.0f / 3;
    double d = 12;
    double tenth = 0.1;
    double big = 1e300;
    double tiny = 5e-324;
    double neg = -2.5e-7;
    double inf = 1.0 / 0.0;
    double ninf = -1.0 / 0.0;
    double dnan = 0.0 / 0.0;
    long double ld = 1.0L / 3;
    long double ld_int = 42;
    const char *str = "text with \"quotes\" and \\ and \t tab\n";
    const char *empty = "";
    char *null_str = 0;
    char buf[16] = "hello";
    char full[4] = { 'a', 'b', 'c', 'd' };
    char rep[40];
    unsigned char ubuf[5] = { 1, 2, 3, 250, 'x' };
    int arr[5] = { 1, 2, 3, 4, 5 };
    int repeats[30] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1, 2, 0, 0, 0 };
    int ten_same[12] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 };
    int grid[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
    int big_arr[250];
    struct point pt = { 3, 4 };
    struct point pts[3] = { { 1, 2 }, { 3, 4 }, { 5, 6 } };
    struct node n2 = { 2, 0 };
    struct node n1 = { 1, &n2 };
    struct node *head = &n1;
    struct node **headp = &head;
    struct bits bf = { 5, -3, 1, -60, 0x123456789a, true };
    union num un;
    enum color col = GREEN;
    enum color bad_col = (enum color)7;
    enum perm pm = P_READ | P_WRITE;
    enum perm pm_bad = (enum perm)(P_EXEC | 16);
    enum perm pm_zero = (enum perm)0;
    enum sparse sp = S_MINUS;
    enum sparse sp_bad = (enum sparse)5;
    struct shape sh = { "box", BLUE, { { 1, 2 }, { 4, 6 } }, 5, 12.5, { 0 }, { 9, 'q' }, add };
    int (*fp)(int, int) = mul;
    binop_t tfp = add;
    void *vp = &pt;
    void *vnull = 0;
    int *ip = &arr[2];
    int *gp = &global_arr[1];
    int (*arrp)[5] = &arr;
    char (*cap)[4] = &full;
    point_t tpt = { 7, 8 };
    uint_t tu = 99;
    const int ci = 17;
    volatile long vl = 18;
    int *const cip = &i;

    un.f = 1.0f;
    memset(rep, 'x', sizeof rep - 1);
    rep[39] = 0;
    for (int k = 0; k < 250; k++)
        big_arr[k] = k / 20;
    memset(global_long_text, 'y', 250);
    global_long_text[5] = 'Z';
    global_nodes[0].value = 10;
    global_nodes[0].next = &global_nodes[1];
    return use_all(&sc, &uc, &c, &nl, &quote, &bslash, &nul, &s, &us, &i, &u, &l, &ul,  /* BREAK:locals */
                   &ll, &ull, &yes, &no, &i8, &u8, &i64, &f, &f3, &d, &tenth, &big,
                   &tiny, &neg, &inf, &ninf, &dnan, &ld, &ld_int, &str, &empty,
                   &null_str, buf, full, rep, ubuf, arr, repeats, ten_same, grid,
                   big_arr, &pt, pts, &n1, &headp, &bf, &un, &col, &bad_col, &pm,
                   &pm_bad, &pm_zero, &sp, &sp_bad, &sh, &fp, &tfp, &vp, &vnull, &ip,
                   &gp, &arrp, &cap, &tpt, &tu, &ci, &vl, &cip, argc);
}

int main(int argc, char **argv)
{
    struct point p6 = { 6, 66 };
    struct big_args b7 = { 1, 2, 3 };
    (void)argv;
    all_locals(argc);
    shadowing(5);
    many_args(1, 2, 'c', 4.5, 5.25f, p6, b7, "eight", 9, 10);
    return other_file_static() + file_static + global_int;
}
