/* SPDX-License-Identifier: Apache-2.0 */
/* STS: the Query service (2011-06-15): GetCallerIdentity, AssumeRole, GetSessionToken. */
#ifndef BW_SVC_STS_STS_H
#define BW_SVC_STS_STS_H

#include "proto/proto.h"

extern const struct bw_service bw_svc_sts;

#endif
