# The AWS side of ecrscan: scan events to its /sns endpoint, the role EventBridge
# Scheduler assumes to start scans, and the policy for ecrscan's own credentials.
#
#   ECR "ECR Image Scan" / Inspector "Inspector2 Scan", "Inspector2 Finding"
#     --> EventBridge rule --> SNS topic (KMS) --> HTTPS subscription --> ecrscan POST /sns
#
# Member accounts (member/) forward their events to this account's default event
# bus; the member rule below sends them on to the same topic.

data "aws_arn" "topic" {
  arn = aws_sns_topic.scans.arn
}

locals {
  partition = data.aws_arn.topic.partition
  region    = data.aws_arn.topic.region
  account   = data.aws_arn.topic.account

  ecr_prefix       = "arn:${local.partition}:ecr:${local.region}:${local.account}:repository"
  scheduler_prefix = "arn:${local.partition}:scheduler:${local.region}:${local.account}"

  watched_arns = [for name in var.repositories : "${local.ecr_prefix}/${name}"]
  # What ecrscan and Scheduler may scan: the watched repositories, or all of them.
  scannable_arns = length(var.repositories) == 0 ? ["${local.ecr_prefix}/*"] : local.watched_arns

  # What `resources` holds: scan events list the repository's ARN, finding events
  # the image's (REPOSITORY_ARN/sha256:...). Findings about EC2 instances, Lambda
  # functions or code repositories name no ECR ARN, so they are not forwarded.
  # Every entry is a wildcard (one without `*` matches exactly), so that the
  # pattern is one list of one type whether or not repositories are named.
  watched_resources = length(var.repositories) == 0 ? ["${local.ecr_prefix}/*"] : flatten([
    for arn in local.watched_arns : [arn, "${arn}/sha256:*"]
  ])

  event_pattern = {
    source        = ["aws.ecr", "aws.inspector2"]
    "detail-type" = ["ECR Image Scan", "Inspector2 Scan", "Inspector2 Finding"]
    resources     = [for pattern in local.watched_resources : { wildcard = pattern }]
  }
}

# --- Scan results: EventBridge -> SNS -> ecrscan -------------------------------

resource "aws_sns_topic" "scans" {
  name = var.name
  # Findings are vulnerability data: encrypted at rest with this module's key,
  # which EventBridge may use (the AWS managed alias/aws/sns key does not let it).
  kms_master_key_id = aws_kms_key.scans.arn
  tags              = var.tags
}

resource "aws_kms_key" "scans" {
  description             = "Encrypts the scan results on ecrscan's SNS topic ${var.name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_kms_alias" "scans" {
  name          = "alias/${var.name}-scans"
  target_key_id = aws_kms_key.scans.key_id
}

# The key's policy names the topic and the topic names the key, so the policy is
# a resource of its own: the key is created, then the topic, then this policy.
resource "aws_kms_key_policy" "scans" {
  key_id = aws_kms_key.scans.id
  policy = data.aws_iam_policy_document.key.json
}

data "aws_iam_policy_document" "key" {
  # checkov reads this as an IAM policy; as a key policy, its Resource "*" means
  # this one key, and a key policy cannot name its own key by ARN.
  #checkov:skip=CKV_AWS_109:Key policy: Resource "*" is this key only, and kms:* is the account root's, as in AWS's default key policy, so that the account's IAM policies decide who administers the key
  #checkov:skip=CKV_AWS_111:Key policy: Resource "*" is this key only; besides the account root, only EventBridge and SNS may use it, for encrypting and decrypting
  #checkov:skip=CKV_AWS_356:Key policy: Resource "*" is this key only, and a key policy cannot name its own key's ARN
  statement {
    sid       = "AccountAdministersTheKey"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account}:root"]
    }
  }

  statement {
    # SNS's list of event sources for encrypted topics: the service principal
    # needs kms:GenerateDataKey* and kms:Decrypt. aws:SourceArn, aws:SourceAccount
    # and aws:SourceOrgID are not supported for EventBridge to encrypted topics,
    # so this statement has no condition; the topic policy limits who publishes.
    sid       = "EventBridgePublishesToTheTopic"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }

  statement {
    # SNS decrypts each message to deliver it to ecrscan's HTTPS endpoint: for
    # this topic of this account only.
    sid       = "SnsDeliversTheTopic"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.scans.arn]
    }
  }
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "EventBridgePublishesScanResults"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.scans.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    # This account's rule, and the rule for what member accounts forward.
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = concat([aws_cloudwatch_event_rule.scans.arn], aws_cloudwatch_event_rule.members[*].arn)
    }
  }
}

resource "aws_sns_topic_policy" "scans" {
  arn    = aws_sns_topic.scans.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_sns_topic_subscription" "ecrscan" {
  topic_arn = aws_sns_topic.scans.arn
  protocol  = "https"
  endpoint  = "${trimsuffix(var.ecrscan_url, "/")}/sns"
  # ecrscan confirms the subscription itself (it GETs the SubscribeURL); Terraform
  # waits for that, so ecrscan must be running with this topic allowed.
  endpoint_auto_confirms          = true
  confirmation_timeout_in_minutes = 5
}

resource "aws_cloudwatch_event_rule" "scans" {
  name          = "${var.name}-scan-results"
  description   = "ECR basic and Inspector enhanced scan results and findings of ECR images, for ecrscan"
  event_pattern = jsonencode(local.event_pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "topic" {
  rule      = aws_cloudwatch_event_rule.scans.name
  target_id = "ecrscan-sns"
  arn       = aws_sns_topic.scans.arn
}

# --- Member accounts: their scan results, through this account's event bus ----
#
# A member account's rule (member/) targets this account's default event bus.
# The bus lets each member account put events; the rule below matches what they
# forward (the `account` field is the member's) and sends it to the topic, as
# this account's own rule does. The topic and its key then only ever see
# EventBridge of this account.

locals {
  member_event_pattern = {
    source        = local.event_pattern.source
    "detail-type" = local.event_pattern["detail-type"]
    account       = var.member_account_ids
    # ECR images of any region: the member rules have chosen the repositories.
    resources = [{ wildcard = "arn:${local.partition}:ecr:*:repository/*" }]
  }
  # The role member/ creates in each member account, which ecrscan assumes there.
  member_role_arns = [for id in var.member_account_ids : "arn:${local.partition}:iam::${id}:role/${var.name}-member"]
}

resource "aws_cloudwatch_event_permission" "members" {
  for_each     = toset(var.member_account_ids)
  principal    = each.value
  statement_id = "${var.name}-member-${each.value}"
}

resource "aws_cloudwatch_event_rule" "members" {
  count         = length(var.member_account_ids) == 0 ? 0 : 1
  name          = "${var.name}-member-scan-results"
  description   = "Scan results and findings of ECR images that member accounts forward, for ecrscan"
  event_pattern = jsonencode(local.member_event_pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "members" {
  count     = length(aws_cloudwatch_event_rule.members)
  rule      = aws_cloudwatch_event_rule.members[0].name
  target_id = "ecrscan-sns"
  arn       = aws_sns_topic.scans.arn
}

# --- Scheduled scans: the role EventBridge Scheduler assumes -----------------

data "aws_iam_policy_document" "scheduler_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-scheduler"
  description        = "Assumed by EventBridge Scheduler to run ecrscan's scheduled StartImageScan"
  assume_role_policy = data.aws_iam_policy_document.scheduler_trust.json
  tags               = var.tags
}

data "aws_iam_policy_document" "scheduler_scan" {
  statement {
    actions   = ["ecr:StartImageScan"]
    resources = local.scannable_arns
  }
}

resource "aws_iam_role_policy" "scheduler_scan" {
  name   = "start-image-scan"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler_scan.json
}

resource "aws_scheduler_schedule_group" "ecrscan" {
  name = var.schedule_group
  tags = var.tags
}

# --- ecrscan's own credentials -------------------------------------------------

data "aws_iam_policy_document" "bot" {
  statement {
    sid = "ScanImages"
    actions = [
      "ecr:DescribeImages",
      "ecr:ListImages",
      "ecr:StartImageScan",
      "ecr:DescribeImageScanFindings",
    ]
    resources = local.scannable_arns
  }

  statement {
    sid       = "ReadScanType"
    actions   = ["ecr:GetRegistryScanningConfiguration"]
    resources = ["*"]
  }

  statement {
    sid = "ManageSchedules"
    actions = [
      "scheduler:CreateSchedule",
      "scheduler:UpdateSchedule",
      "scheduler:GetSchedule",
      "scheduler:DeleteSchedule",
    ]
    resources = ["${local.scheduler_prefix}:schedule/${var.schedule_group}/*"]
  }

  statement {
    sid       = "ManageScheduleGroup"
    actions   = ["scheduler:GetScheduleGroup", "scheduler:CreateScheduleGroup"]
    resources = [aws_scheduler_schedule_group.ecrscan.arn]
  }

  statement {
    sid       = "ListSchedules"
    actions   = ["scheduler:ListSchedules"]
    resources = ["*"] # ListSchedules has no resource type
  }

  statement {
    sid       = "PassSchedulerRole"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.scheduler.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["scheduler.amazonaws.com"]
    }
  }

  # `/ecrscan running`: the tasks ECS runs now, in any cluster of this account.
  statement {
    sid       = "ListEcsClusters"
    actions   = ["ecs:ListClusters"]
    resources = ["*"] # ListClusters has no resource type
  }

  statement {
    sid       = "ReadEcsTasks"
    actions   = ["ecs:ListTasks", "ecs:DescribeTasks"]
    resources = ["*"] # Tasks and container instances: limited to this account's clusters below

    condition {
      test     = "ArnLike"
      variable = "ecs:cluster"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account}:cluster/*"]
    }
  }

  # With member accounts: their ${var.name}-member roles, and nothing else.
  dynamic "statement" {
    for_each = length(local.member_role_arns) == 0 ? [] : [local.member_role_arns]

    content {
      sid       = "AssumeMemberRoles"
      actions   = ["sts:AssumeRole"]
      resources = statement.value
    }
  }
}

resource "aws_iam_policy" "bot" {
  name        = "${var.name}-bot"
  description = "What ecrscan's own AWS credentials need: scan, read findings, manage its schedules, read ECS tasks"
  policy      = data.aws_iam_policy_document.bot.json
  tags        = var.tags
}

# Only for setups that still run ecrscan with an IAM user's access keys; on
# fly.io, fly.tf gives it a role instead, and on ECS, App Runner or EKS the
# task's role takes this policy.
resource "aws_iam_user_policy_attachment" "bot" {
  count      = var.bot_user_name == null ? 0 : 1
  user       = var.bot_user_name
  policy_arn = aws_iam_policy.bot.arn
}
