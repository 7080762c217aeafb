/* Random conditions over locals of every integer kind (tests/test_fast_conditions.py). */
struct pt { int x; unsigned short y; long z; };

volatile long sink;
int g = 7;

int main(void) {
    struct pt pts[3] = {{1, 2, 3}, {-4, 65535, -6}, {70000, 8, 1L << 40}};
    for (int i = 0; i < 48; i++) {
        int a = (i * 37) % 23 - 11;
        unsigned u = i * 2654435761u;
        char c = (char)(i * 13);
        short s = (short)(i * 1000 - 30000);
        long l = (long)i * -123456789L;
        unsigned char b = (unsigned char)(i * 7);
        _Bool f = (i % 3) == 0;
        struct pt *p = &pts[i % 3];
        pts[i % 3].x += a;
        sink += a + u + c + s + l + b + f + p->x + g;   /* FAST:here */
    }
    return 0;
}
