/* lpsp: reference C codec for the Lonely Pub-Sub Protocol (lonelypsp).
 * Umbrella header. */
#ifndef LPSP_H
#define LPSP_H

#include "lpsp/auth.h"
#include "lpsp/common.h"
#include "lpsp/session.h"
#include "lpsp/stateful.h"
#include "lpsp/stateless.h"

#endif
