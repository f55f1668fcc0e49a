/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AWS managed policies Bulwark ships (arn:aws:iam::aws:policy/NAME), with
 * the documents of their AWS counterparts reduced to the services Bulwark
 * serves (IAM, STS, Organizations, Shield, WAFv2, CloudTrail). They are seeded
 * on start (idempotently) and cannot be changed or deleted by any account.
 */
#include "svc/iam/iam.h"

#include <stdio.h>
#include <string.h>

struct managed {
    const char *name;
    const char *path;
    const char *description;
    const char *doc;
};

#define STMT_ALLOW(actions) "{\"Effect\":\"Allow\",\"Action\":" actions ",\"Resource\":\"*\"}"
#define DOC(stmts)          "{\"Version\":\"2012-10-17\",\"Statement\":[" stmts "]}"

static const struct managed policies[] = {
    {"AdministratorAccess", "/", "Provides full access to AWS services and resources.",
     DOC(STMT_ALLOW("\"*\""))},
    {"PowerUserAccess", "/",
     "Provides full access to AWS services and resources, but does not allow management of "
     "Users and groups.",
     DOC("{\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\",\"organizations:*\",\"account:*\"],"
         "\"Resource\":\"*\"}," STMT_ALLOW(
             "[\"iam:CreateServiceLinkedRole\",\"iam:DeleteServiceLinkedRole\","
             "\"iam:ListRoles\",\"organizations:DescribeOrganization\","
             "\"account:ListRegions\",\"account:GetAccountInformation\"]"))},
    {"ReadOnlyAccess", "/", "Provides read-only access to AWS services and resources.",
     DOC(STMT_ALLOW("[\"iam:Get*\",\"iam:List*\",\"iam:Generate*\",\"iam:Simulate*\","
                    "\"sts:GetCallerIdentity\",\"organizations:Describe*\","
                    "\"organizations:List*\",\"shield:Describe*\",\"shield:Get*\","
                    "\"shield:List*\",\"wafv2:Get*\",\"wafv2:List*\",\"wafv2:Describe*\","
                    "\"wafv2:CheckCapacity\",\"cloudtrail:Describe*\",\"cloudtrail:Get*\","
                    "\"cloudtrail:List*\",\"cloudtrail:LookupEvents\"]"))},
    {"IAMFullAccess", "/", "Provides full access to IAM via the AWS Management Console.",
     DOC(STMT_ALLOW("[\"iam:*\",\"organizations:DescribeAccount\","
                    "\"organizations:DescribeOrganization\","
                    "\"organizations:DescribeOrganizationalUnit\","
                    "\"organizations:DescribePolicy\",\"organizations:ListChildren\","
                    "\"organizations:ListParents\",\"organizations:ListPoliciesForTarget\","
                    "\"organizations:ListRoots\",\"organizations:ListPolicies\","
                    "\"organizations:ListTargetsForPolicy\"]"))},
    {"IAMReadOnlyAccess", "/", "Provides read only access to IAM via the AWS Management Console.",
     DOC(STMT_ALLOW("[\"iam:GenerateCredentialReport\",\"iam:GenerateServiceLastAccessedDetails\","
                    "\"iam:Get*\",\"iam:List*\",\"iam:SimulateCustomPolicy\","
                    "\"iam:SimulatePrincipalPolicy\"]"))},
    {"SecurityAudit", "/",
     "The security audit template grants access to read security configuration metadata.",
     DOC(STMT_ALLOW("[\"iam:GenerateCredentialReport\",\"iam:Get*\",\"iam:List*\","
                    "\"iam:SimulateCustomPolicy\",\"iam:SimulatePrincipalPolicy\","
                    "\"organizations:Describe*\",\"organizations:List*\",\"shield:Describe*\","
                    "\"shield:List*\",\"wafv2:Describe*\",\"wafv2:Get*\",\"wafv2:List*\","
                    "\"cloudtrail:Describe*\",\"cloudtrail:Get*\",\"cloudtrail:List*\","
                    "\"cloudtrail:LookupEvents\",\"sts:GetCallerIdentity\"]"))},
    {"AWSOrganizationsFullAccess", "/", "Provides full access to AWS Organizations.",
     DOC(STMT_ALLOW("\"organizations:*\"") ",{\"Effect\":\"Allow\",\"Action\":\"iam:"
                                           "CreateServiceLinkedRole\",\"Resource\":\"*\"}")},
    {"AWSOrganizationsReadOnlyAccess", "/", "Provides read-only access to AWS Organizations.",
     DOC(STMT_ALLOW("[\"organizations:Describe*\",\"organizations:List*\"]"))},
    {"AWSShieldFullAccess", "/", "Provides full access to AWS Shield (self-hosted).",
     DOC(STMT_ALLOW("\"shield:*\""))},
    {"AWSWAFFullAccess", "/", "Provides full access to AWS WAF actions.",
     DOC(STMT_ALLOW("[\"waf:*\",\"waf-regional:*\",\"wafv2:*\"]"))},
    {"AWSWAFReadOnlyAccess", "/", "Provides read only access to AWS WAF actions.",
     DOC(STMT_ALLOW("[\"waf:Get*\",\"waf:List*\",\"waf-regional:Get*\","
                    "\"waf-regional:List*\",\"wafv2:Get*\",\"wafv2:List*\","
                    "\"wafv2:Describe*\",\"wafv2:CheckCapacity\"]"))},
    {"AWSCloudTrail_FullAccess", "/", "Provides full access to AWS CloudTrail.",
     DOC(STMT_ALLOW("\"cloudtrail:*\""))},
    {"AWSCloudTrail_ReadOnlyAccess", "/", "Provides read only access to AWS CloudTrail.",
     DOC(STMT_ALLOW("[\"cloudtrail:Get*\",\"cloudtrail:Describe*\",\"cloudtrail:List*\","
                    "\"cloudtrail:LookupEvents\"]"))},
};

enum bw_code bw_iam_seed_managed(struct bw_db *db, int64_t now_ms, struct bw_err *err)
{
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
        const struct managed *m = &policies[i];
        char arn[256], id[22];
        snprintf(arn, sizeof arn, "arn:aws:iam::aws:policy%s%s", m->path, m->name);
        bw_iam_new_id("ANPA", 21, id);
        int changes = 0;
        if (bw_db_exec(db, err, &changes,
                       "INSERT OR IGNORE INTO iam_policies (arn, account_id, name, path, id,"
                       " description, created_at, updated_at) VALUES (?, 'aws', ?, ?, ?, ?, ?, ?)",
                       "sssssii", arn, m->name, m->path, id, m->description, now_ms, now_ms))
            return err->code;
        if (bw_db_exec(db, err, NULL,
                       "INSERT INTO iam_policy_versions (policy_arn, version_id, document,"
                       " created_at) VALUES (?, 'v1', ?, ?) ON CONFLICT (policy_arn, version_id)"
                       " DO UPDATE SET document = excluded.document",
                       "ssi", arn, m->doc, now_ms))
            return err->code;
    }
    return BW_OK;
}
