/* Code that other where_* programs #include, so it lives in a second file of their
   units (the "header" case). Built alone it is a small program of its own. */
#ifndef WHERE_INLINE_ONCE
#define WHERE_INLINE_ONCE

static inline int clamp(int v, int lo, int hi)
{
    if (v < lo)
        return lo;
    if (v > hi)
        return hi;
    return v;
}

static inline int twice(int v) { return v * 2; }

static int inline_counter;

static inline void bump(int by)
{
    inline_counter += by;
    if (inline_counter > 1000)
        inline_counter = 0;
}

#endif

#ifndef WHERE_INLINE_AS_HEADER
int main(int argc, char **argv)
{
    (void)argv;
    bump(argc);
    return clamp(twice(argc), 0, 10) + inline_counter;
}
#endif
