/* Wrappers of the libcrypto functions the codec calls (fault_shim.h). A
 * wrapper that is not the armed call forwards to the real function
 * (__real_<name>, provided by the linker's --wrap). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "fault_shim.h"

static unsigned long calls, target;
static fault_mode mode;
static const char *fired_in;

void fault_arm(unsigned long n, fault_mode m)
{
    calls = 0;
    target = n;
    mode = m;
    fired_in = NULL;
}

int fault_fired(void)
{
    return fired_in != NULL;
}
unsigned long fault_calls(void)
{
    return calls;
}
const char *fault_where(void)
{
    return fired_in;
}

/* 1 when this call is the one to fail. */
static int hit(const char *name)
{
    calls++;
    if (target == 0 || calls != target) return 0;
    fired_in = name;
    return 1;
}

void *__real_CRYPTO_malloc(size_t num, const char *file, int line);
void *__wrap_CRYPTO_malloc(size_t num, const char *file, int line);
int __real_EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
                      const EVP_MD *type, ENGINE *impl);
int __wrap_EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
                      const EVP_MD *type, ENGINE *impl);
int __real_SHA512_Init(SHA512_CTX *c);
int __wrap_SHA512_Init(SHA512_CTX *c);
int __real_SHA512_Update(SHA512_CTX *c, const void *data, size_t len);
int __wrap_SHA512_Update(SHA512_CTX *c, const void *data, size_t len);
int __real_SHA512_Final(unsigned char *md, SHA512_CTX *c);
int __wrap_SHA512_Final(unsigned char *md, SHA512_CTX *c);

/* OPENSSL_malloc: the HMAC key's states. */
void *__wrap_CRYPTO_malloc(size_t num, const char *file, int line)
{
    return hit("CRYPTO_malloc") ? NULL : __real_CRYPTO_malloc(num, file, line);
}

int __wrap_EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
                      const EVP_MD *type, ENGINE *impl)
{
    if (!hit("EVP_Digest")) return __real_EVP_Digest(data, count, md, size, type, impl);
    if (mode == FAULT_FAIL) return 0;
    int ok = __real_EVP_Digest(data, count, md, size, type, impl);
    if (ok && size && *size) *size -= 1;
    return ok;
}

/* The low-level SHA-512 calls: a failed Init still leaves a usable
 * context, so that a caller ignoring the result cannot read garbage state
 * (real SHA512_Init cannot fail; the result is what is under test). */
int __wrap_SHA512_Init(SHA512_CTX *c)
{
    int ok = __real_SHA512_Init(c);
    return hit("SHA512_Init") ? 0 : ok;
}

int __wrap_SHA512_Update(SHA512_CTX *c, const void *data, size_t len)
{
    return hit("SHA512_Update") ? 0 : __real_SHA512_Update(c, data, len);
}

int __wrap_SHA512_Final(unsigned char *md, SHA512_CTX *c)
{
    return hit("SHA512_Final") ? 0 : __real_SHA512_Final(md, c);
}
