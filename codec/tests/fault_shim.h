/* Fault injection for the codec's libcrypto calls. The test binary is
 * linked with -Wl,--wrap=<function> for every function of FAULT_WRAP in
 * codec/codec.mk, so each call the codec makes goes through a wrapper here
 * that counts it and, once armed, makes the n-th one fail. */
#ifndef LPSP_FAULT_SHIM_H
#define LPSP_FAULT_SHIM_H

typedef enum {
    FAULT_FAIL, /* the call reports failure (0 or NULL) without doing its work */
    FAULT_SHORT /* calls with an output length succeed but report a short one;
                 * the others fail as with FAULT_FAIL */
} fault_mode;

/* Count wrapped calls from 0 and inject a fault into call number n
 * (1-based); n == 0 disarms (calls are still counted). */
void fault_arm(unsigned long n, fault_mode mode);
/* 1 once the armed fault has been injected. */
int fault_fired(void);
/* Wrapped calls since the last fault_arm. */
unsigned long fault_calls(void);
/* Name of the function the fault was injected into (NULL before). */
const char *fault_where(void);

#endif
