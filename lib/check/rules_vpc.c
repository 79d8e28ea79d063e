/*
 * rules_vpc.c: VPC, subnet and security group rules.
 *
 * Open ports (CKV_AWS_24/25/260/277 ingress, CKV_AWS_382 egress) follow
 * checkov's reading of a rule: the port is within from_port..to_port (0..0
 * meaning every port) or the protocol is "-1" over 0..65535; and the source
 * is 0.0.0.0/0 or ::/0, or no source at all (no CIDR, no security group);
 * a prefix list or `self` makes the rule harmless.  A security group with
 * inline rules is judged by them; aws_security_group_rule by its type;
 * aws_vpc_security_group_{ingress,egress}_rule by its ports.
 */
#include <stdlib.h>
#include <string.h>

#include "check/internal.h"

/* CKV2_AWS_11 */
static int flow_log(const struct check_ctx *ctx, const struct check_res *r)
{
	return check_linked(ctx, r, "aws_flow_log", 0) ? CHECK_PASS : CHECK_FAIL;
}

static bool empty(const json_t *v)
{
	return !v || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0);
}

/* CKV2_AWS_12: the VPC's default security group, managed here, with no
 * rules inline and no rule resources attached. */
static int default_sg(const struct check_ctx *ctx, const struct check_res *r)
{
	const struct check_res *sg;
	for (size_t i = 0; (sg = check_linked(ctx, r, "aws_default_security_group", i)); i++) {
		if (!empty(check_attr(sg, "ingress")) || !empty(check_attr(sg, "egress")) ||
		    check_attr_given(sg, "ingress") || check_attr_given(sg, "egress"))
			continue;
		if (check_linked(ctx, sg, "aws_security_group_rule", 0) ||
		    check_linked(ctx, sg, "aws_vpc_security_group_egress_rule", 0) ||
		    check_linked(ctx, sg, "aws_vpc_security_group_ingress_rule", 0))
			continue;
		return CHECK_PASS;
	}
	return CHECK_FAIL;
}

/* CKV2_AWS_1: a network ACL attached to subnets: its subnet_ids written
 * and linked to an aws_subnet (checkov's rule judges the ACL; a subnet
 * without an ACL of its own, under the VPC's default one, is not judged). */
static int nacl_subnets(const struct check_ctx *ctx, const struct check_res *r)
{
	return check_attr_written(r, "subnet_ids") && check_linked(ctx, r, "aws_subnet", 0) ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_130 */
static int public_ip(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_true(r, "map_public_ip_on_launch") ? CHECK_FAIL : CHECK_PASS;
}

/* CKV_AWS_148: planning a default VPC at all. */
static int default_vpc(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	(void)r;
	return CHECK_FAIL;
}

static bool text_set(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0;
}

/* CKV_AWS_23: the group (or rule) and each inline rule have a description.
 * The plan fills a group's description with "Managed by Terraform"; as in
 * checkov's reading of the source, that default is not a description. */
static int descriptions(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	bool own;
	if (r->expressions && !json_object_get(r->expressions, "description"))
		own = false;
	else
		own = text_set(check_attr(r, "description")) || check_attr_referenced(r, "description");
	if (!own)
		return CHECK_FAIL;
	if (check_attr(r, "type"))
		return CHECK_PASS;
	static const char *const kinds[] = { "ingress", "egress" };
	for (size_t k = 0; k < 2; k++) {
		size_t i;
		const json_t *rule;
		json_array_foreach(check_attr(r, kinds[k]), i, rule) {
			if (json_is_object(rule) && !text_set(json_object_get(rule, "description")))
				return CHECK_FAIL;
		}
	}
	return CHECK_PASS;
}

static bool int_of(const json_t *v, long *out)
{
	if (json_is_integer(v)) {
		*out = (long)json_integer_value(v);
		return true;
	}
	if (json_is_real(v)) {
		*out = (long)json_real_value(v);
		return true;
	}
	if (json_is_string(v)) {
		char *end;
		long n = strtol(json_string_value(v), &end, 10);
		if (*json_string_value(v) && !*end) {
			*out = n;
			return true;
		}
	}
	return false;
}

static bool list_has(const json_t *v, const char *const *values, size_t n)
{
	if (json_is_string(v)) {
		for (size_t k = 0; k < n; k++)
			if (strcmp(json_string_value(v), values[k]) == 0)
				return true;
		return false;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(v, i, e) {
		if (list_has(e, values, n))
			return true;
	}
	return false;
}

/* One rule (an inline block, or a rule resource's values); r is the rule
 * resource when there is one, to see sources unknown until apply; for an
 * inline block, later is its after_unknown (a source group or prefix list
 * known only after apply is a source, not the world). */
static bool open_to_world(const json_t *rule, const struct check_res *r, long port, const json_t *later)
{
	if (json_is_true(json_object_get(later, "prefix_list_ids")))
		return false;
	long from = 0, to = 0;
	bool has_from = int_of(json_object_get(rule, "from_port"), &from);
	bool has_to = int_of(json_object_get(rule, "to_port"), &to);
	const char *protocol = json_string_value(json_object_get(rule, "protocol"));
	if (has_from && has_to && from == 0 && to == 0)
		to = 65535;
	if (!empty(json_object_get(rule, "prefix_list_ids")))
		return false;
	bool in_range = has_from && has_to && from <= port && port <= to;
	bool all = protocol && strcmp(protocol, "-1") == 0 && has_from && has_to && from == 0 && to == 65535;
	if (!in_range && !all)
		return false;
	static const char *const v4[] = { "0.0.0.0/0" };
	static const char *const v6[] = { "::/0", "0000:0000:0000:0000:0000:0000:0000:0000/0" };
	const json_t *cidrs = json_object_get(rule, "cidr_blocks");
	if (empty(cidrs))
		cidrs = json_object_get(rule, "cidr_ipv4");
	if (list_has(cidrs, v4, 1))
		return true;
	const json_t *cidrs6 = json_object_get(rule, "ipv6_cidr_blocks");
	if (empty(cidrs6))
		cidrs6 = json_object_get(rule, "cidr_ipv6");
	if (list_has(cidrs6, v6, 2))
		return true;
	bool no_source = empty(cidrs) && empty(cidrs6) && empty(json_object_get(rule, "security_groups")) &&
			 empty(json_object_get(rule, "source_security_group_id")) &&
			 !json_is_true(json_object_get(later, "security_groups")) &&
			 !json_is_true(json_object_get(later, "cidr_blocks")) &&
			 !json_is_true(json_object_get(later, "ipv6_cidr_blocks"));
	if (no_source && r)
		no_source = !check_attr_given(r, "cidr_blocks") && !check_attr_given(r, "cidr_ipv4") &&
			    !check_attr_given(r, "ipv6_cidr_blocks") && !check_attr_given(r, "cidr_ipv6") &&
			    !check_attr_given(r, "source_security_group_id");
	return no_source;
}

static int open_port(const struct check_res *r, const char *direction, long port)
{
	const json_t *inline_rules = check_attr(r, direction);
	if (inline_rules) {
		/* the planned set and its after_unknown list the blocks in one order */
		const json_t *later = json_object_get(r->unknown, direction);
		size_t i;
		const json_t *rule;
		json_array_foreach(inline_rules, i, rule) {
			if (!json_is_object(rule))
				continue;
			if (json_is_true(json_object_get(rule, "self")))
				return CHECK_PASS;
			if (open_to_world(rule, NULL, port, json_array_get(later, i)))
				return CHECK_FAIL;
		}
		return CHECK_PASS;
	}
	const char *type = check_attr_str(r, "type");
	if (type) {
		if (strcmp(type, direction) != 0)
			return CHECK_UNKNOWN;
		if (check_attr_true(r, "self"))
			return CHECK_PASS;
		return open_to_world(r->values, r, port, NULL) ? CHECK_FAIL : CHECK_PASS;
	}
	if (strcmp(r->type, "aws_security_group") == 0)
		return CHECK_PASS;
	if (check_attr(r, "from_port") || check_attr(r, "to_port"))
		return open_to_world(r->values, r, port, NULL) ? CHECK_FAIL : CHECK_PASS;
	return CHECK_PASS;
}

static int ingress_22(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return open_port(r, "ingress", 22);
}

static int ingress_3389(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return open_port(r, "ingress", 3389);
}

static int ingress_80(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return open_port(r, "ingress", 80);
}

static int ingress_all(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return open_port(r, "ingress", -1);
}

static int egress_all(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return open_port(r, "egress", -1);
}

/* A value the plan knows to be set: a non-empty string, or known only
 * after apply (unknown marks it true). */
static bool value_set(const json_t *v, const json_t *later)
{
	return json_is_true(later) || (json_is_string(v) && json_string_length(v) > 0);
}

static bool str_has(const json_t *v, const char *needle)
{
	return json_is_string(v) && strstr(json_string_value(v), needle) != NULL;
}

/* Routes of a route table with a non-empty `via` (instance_id,
 * vpc_peering_connection_id), and routes to the whole internet. */
static void routes(const struct check_res *r, const char *via, bool *any_via, bool *any_default)
{
	const json_t *list = check_attr(r, "route");
	const json_t *later = check_json_path(r->unknown, "route");
	size_t i;
	const json_t *rt;
	*any_via = *any_default = false;
	json_array_foreach(list, i, rt) {
		if (value_set(json_object_get(rt, via), json_object_get(json_array_get(later, i), via)))
			*any_via = true;
		if (str_has(json_object_get(rt, "cidr_block"), "0.0.0.0/0") ||
		    (strcmp(via, "instance_id") != 0 && str_has(json_object_get(rt, "ipv6_cidr_block"), "::/0")))
			*any_default = true;
	}
}

/* CKV2_AWS_35: the default route (0.0.0.0/0) does not go through a NAT
 * instance (instance_id).  A route table fails when one of its routes
 * names an instance and one goes to 0.0.0.0/0, as checkov's reading of
 * the routes as a whole; an instance_id of "" is no instance. */
static int nat_gateway(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	bool via, dflt;
	if (strcmp(r->type, "aws_route") == 0) {
		via = check_attr_given(r, "instance_id"); /* computed: after_unknown even when not given */
		dflt = str_has(check_attr(r, "destination_cidr_block"), "0.0.0.0/0");
	} else {
		routes(r, "instance_id", &via, &dflt);
	}
	return via && dflt ? CHECK_FAIL : CHECK_PASS;
}

/* CKV2_AWS_44: a route table with a VPC peering route has no route to
 * 0.0.0.0/0 or ::/0. */
static int peering_routes(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	bool via, dflt;
	if (strcmp(r->type, "aws_route") == 0) {
		via = check_attr_given(r, "vpc_peering_connection_id");
		dflt = str_has(check_attr(r, "destination_cidr_block"), "0.0.0.0/0") ||
		       str_has(check_attr(r, "destination_ipv6_cidr_block"), "::/0");
	} else {
		routes(r, "vpc_peering_connection_id", &via, &dflt);
	}
	return via && dflt ? CHECK_FAIL : CHECK_PASS;
}

/* What a security group can be attached to (checkov's list for CKV2_AWS_5). */
static const char *const sg_users[] = {
	"aws_alb", "aws_apprunner_vpc_connector", "aws_appstream_fleet", "aws_batch_compute_environment",
	"aws_cloudwatch_event_target", "aws_codebuild_project", "aws_codestarconnections_host", "aws_dax_cluster",
	"aws_db_instance", "aws_dms_replication_instance", "aws_dms_replication_config", "aws_docdb_cluster",
	"aws_docdbelastic_cluster", "aws_ec2_client_vpn_endpoint", "aws_ec2_client_vpn_network_association",
	"aws_ec2_spot_fleet_request", "aws_ecs_service", "aws_efs_mount_target", "aws_eks_cluster", "aws_eks_node_group",
	"aws_elasticache_cluster", "aws_elasticache_replication_group", "aws_elasticache_serverless_cache",
	"aws_elasticsearch_domain", "aws_elb", "aws_emr_cluster", "aws_emr_studio", "aws_glue_dev_endpoint",
	"aws_instance", "aws_lambda_function", "aws_launch_configuration", "aws_launch_template", "aws_lb",
	"aws_memorydb_cluster", "aws_mq_broker", "aws_msk_cluster", "aws_mskconnect_connector", "aws_mwaa_environment",
	"aws_neptune_cluster", "aws_network_interface", "aws_opensearch_domain", "aws_opensearch_vpc_endpoint",
	"aws_quicksight_vpc_connection", "aws_rds_cluster", "aws_redshift_cluster", "aws_route53_resolver_endpoint",
	"aws_sagemaker_notebook_instance", "aws_transfer_server", "aws_vpc_endpoint",
	"aws_vpclattice_service_network_vpc_association", "aws_fsx_windows_file_system", "aws_fsx_ontap_file_system",
	"aws_grafana_workspace", "aws_apigatewayv2_vpc_link", "aws_fsx_lustre_file_system",
	"aws_imagebuilder_infrastructure_configuration", "aws_fsx_openzfs_file_system", "aws_fsx_file_cache",
	"aws_redshiftserverless_workgroup", "aws_ec2_instance_connect_endpoint", "aws_opensearchserverless_vpc_endpoint",
	"aws_verifiedaccess_endpoint", "aws_m2_environment", "aws_vpclattice_resource_gateway",
	"aws_spot_instance_request", "aws_msk_vpc_connection",
};

/* CKV2_AWS_5: the security group is attached to something. */
static int sg_attached(const struct check_ctx *ctx, const struct check_res *r)
{
	for (size_t k = 0; k < sizeof sg_users / sizeof sg_users[0]; k++)
		if (check_linked(ctx, r, sg_users[k], 0))
			return CHECK_PASS;
	return CHECK_FAIL;
}

/* CKV2_AWS_7: an EMR cluster has security groups, none of whose inline
 * ingress rules is open to 0.0.0.0/0. */
static int emr_sg(const struct check_ctx *ctx, const struct check_res *r)
{
	static const char *const world[] = { "0.0.0.0/0" };
	const struct check_res *sg = check_linked(ctx, r, "aws_security_group", 0);
	if (!sg)
		return CHECK_FAIL;
	for (size_t i = 0; (sg = check_linked(ctx, r, "aws_security_group", i)); i++) {
		size_t j;
		const json_t *in;
		json_array_foreach(check_attr(sg, "ingress"), j, in) {
			if (list_has(json_object_get(in, "cidr_blocks"), world, 1))
				return CHECK_FAIL;
		}
	}
	return CHECK_PASS;
}

#define INGRESS_TYPES { "aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule" }

const struct owlet_check_rule owlet_check_rules_vpc[] = {
	{ "CKV2_AWS_11", "Ensure VPC flow logging is enabled in all VPCs", "VPC has no flow log",
	  CHECK_GUIDE("CKV2_AWS_11"), { "aws_vpc" }, flow_log },
	{ "CKV2_AWS_12", "Ensure the default security group of every VPC restricts all traffic",
	  "VPC's default security group is not managed to allow nothing", CHECK_GUIDE("CKV2_AWS_12"), { "aws_vpc" },
	  default_sg },
	{ "CKV2_AWS_1", "Ensure that all NACL are attached to subnets", "network ACL is attached to no subnet",
	  CHECK_GUIDE("CKV2_AWS_1"), { "aws_network_acl" }, nacl_subnets },
	{ "CKV_AWS_130", "Ensure VPC subnets do not assign public IP by default",
	  "subnet gives instances public IP addresses", CHECK_GUIDE("CKV_AWS_130"), { "aws_subnet" }, public_ip },
	{ "CKV_AWS_148", "Ensure no default VPC is planned to be provisioned", "plan manages the default VPC",
	  CHECK_GUIDE("CKV_AWS_148"), { "aws_default_vpc" }, default_vpc },
	{ "CKV_AWS_23", "Ensure every security group and rule has a description",
	  "security group or rule has no description", CHECK_GUIDE("CKV_AWS_23"),
	  { "aws_security_group", "aws_security_group_rule", "aws_db_security_group", "aws_elasticache_security_group",
	    "aws_redshift_security_group", "aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule" },
	  descriptions },
	{ "CKV_AWS_24", "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22",
	  "security group allows SSH (22) from anywhere", CHECK_GUIDE("CKV_AWS_24"), INGRESS_TYPES, ingress_22 },
	{ "CKV_AWS_25", "Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389",
	  "security group allows RDP (3389) from anywhere", CHECK_GUIDE("CKV_AWS_25"), INGRESS_TYPES, ingress_3389 },
	{ "CKV_AWS_260", "Ensure no security groups allow ingress from 0.0.0.0:0 to port 80",
	  "security group allows HTTP (80) from anywhere", CHECK_GUIDE("CKV_AWS_260"), INGRESS_TYPES, ingress_80 },
	{ "CKV_AWS_277", "Ensure no security groups allow ingress from 0.0.0.0:0 to port -1",
	  "security group allows all traffic from anywhere", CHECK_GUIDE("CKV_AWS_277"), INGRESS_TYPES, ingress_all },
	{ "CKV_AWS_382", "Ensure no security groups allow egress from 0.0.0.0:0 to port -1",
	  "security group allows all traffic out to anywhere", CHECK_GUIDE("CKV_AWS_382"),
	  { "aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_egress_rule" }, egress_all },
	{ "CKV2_AWS_35", "AWS NAT Gateways should be utilized for the default route",
	  "route table sends the default route (0.0.0.0/0) through a NAT instance", CHECK_GUIDE("CKV2_AWS_35"),
	  { "aws_route_table", "aws_route" }, nat_gateway },
	{ "CKV2_AWS_44", "Ensure AWS route table with VPC peering does not contain routes overly permissive to all traffic",
	  "route table with VPC peering routes all traffic (0.0.0.0/0 or ::/0)", CHECK_GUIDE("CKV2_AWS_44"),
	  { "aws_route_table", "aws_route" }, peering_routes },
	{ "CKV2_AWS_5", "Ensure that Security Groups are attached to another resource",
	  "security group is attached to nothing", CHECK_GUIDE("CKV2_AWS_5"), { "aws_security_group" }, sg_attached },
	{ "CKV2_AWS_7", "Ensure that Amazon EMR clusters' security groups are not open to the world",
	  "EMR cluster has no security group, or one open to 0.0.0.0/0", CHECK_GUIDE("CKV2_AWS_7"),
	  { "aws_emr_cluster" }, emr_sg },
};
const size_t owlet_check_rules_vpc_count = sizeof owlet_check_rules_vpc / sizeof owlet_check_rules_vpc[0];
