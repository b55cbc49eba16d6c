// Counts the bytes a process writes into files under one folder: bench/run.sh's ledger scenario
// preloads it into `mailingest once` to add up every byte written to the archive's state/ (snapshots,
// their temporary files, journals), whatever became of those files afterwards.
//
//   cc -shared -fPIC -O2 -o writecount.so bench/writecount.c -ldl
//   WRITECOUNT_PREFIX=/archive/state/ WRITECOUNT_OUT=/tmp/count LD_PRELOAD=./writecount.so mailingest once ...
//
// At exit it writes "BYTES CALLS" to WRITECOUNT_OUT. It wraps the libc calls that write to a file
// descriptor (the .NET runtime's file I/O goes through them: write, pwrite, and their vector forms; the
// copies File.Copy may use too) and asks /proc/self/fd which file each descriptor is: one readlink
// per call, cheap next to the write itself, and never wrong about a descriptor that was closed and
// reused. What it counts is what the process handed the kernel, not what the disk wrote after it
// (no file system overhead, no journal of ext4's own).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *prefix;
static size_t prefix_length;
static unsigned long long total_bytes, total_calls;

__attribute__((constructor)) static void start(void)
{
    prefix = getenv("WRITECOUNT_PREFIX");
    prefix_length = prefix ? strlen(prefix) : 0;
}

__attribute__((destructor)) static void finish(void)
{
    const char *out = getenv("WRITECOUNT_OUT");
    FILE *file = out ? fopen(out, "w") : NULL;
    if (file) {
        fprintf(file, "%llu %llu\n", __atomic_load_n(&total_bytes, __ATOMIC_RELAXED), __atomic_load_n(&total_calls, __ATOMIC_RELAXED));
        fclose(file);
    }
}

static void count(int fd, ssize_t written)
{
    char link[64], path[4096];
    if (written <= 0 || prefix_length == 0) return;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, path, sizeof path - 1);
    if (length < (ssize_t)prefix_length || memcmp(path, prefix, prefix_length) != 0) return;
    __atomic_add_fetch(&total_bytes, (unsigned long long)written, __ATOMIC_RELAXED);
    __atomic_add_fetch(&total_calls, 1, __ATOMIC_RELAXED);
}

#define NEXT(name) static __typeof__(name) *real; if (!real) real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buffer, size_t size)
{
    NEXT(write);
    ssize_t written = real(fd, buffer, size);
    count(fd, written);
    return written;
}

ssize_t pwrite(int fd, const void *buffer, size_t size, off_t offset)
{
    NEXT(pwrite);
    ssize_t written = real(fd, buffer, size, offset);
    count(fd, written);
    return written;
}

ssize_t pwrite64(int fd, const void *buffer, size_t size, off64_t offset)
{
    NEXT(pwrite64);
    ssize_t written = real(fd, buffer, size, offset);
    count(fd, written);
    return written;
}

ssize_t writev(int fd, const struct iovec *vector, int count_)
{
    NEXT(writev);
    ssize_t written = real(fd, vector, count_);
    count(fd, written);
    return written;
}

ssize_t pwritev(int fd, const struct iovec *vector, int count_, off_t offset)
{
    NEXT(pwritev);
    ssize_t written = real(fd, vector, count_, offset);
    count(fd, written);
    return written;
}

ssize_t pwritev64(int fd, const struct iovec *vector, int count_, off64_t offset)
{
    NEXT(pwritev64);
    ssize_t written = real(fd, vector, count_, offset);
    count(fd, written);
    return written;
}

ssize_t pwritev2(int fd, const struct iovec *vector, int count_, off_t offset, int flags)
{
    NEXT(pwritev2);
    ssize_t written = real(fd, vector, count_, offset, flags);
    count(fd, written);
    return written;
}

ssize_t copy_file_range(int in, off64_t *in_offset, int out, off64_t *out_offset, size_t size, unsigned int flags)
{
    NEXT(copy_file_range);
    ssize_t written = real(in, in_offset, out, out_offset, size, flags);
    count(out, written);
    return written;
}

ssize_t sendfile(int out, int in, off_t *offset, size_t size)
{
    NEXT(sendfile);
    ssize_t written = real(out, in, offset, size);
    count(out, written);
    return written;
}
