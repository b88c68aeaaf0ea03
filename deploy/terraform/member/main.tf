# ecrscan in a member account: the role ecrscan assumes here, the Scheduler role
# and group for this account's scheduled scans, and the rule that forwards this
# account's scan results to the central account, where ecrscan's topic is.
#
#   this account:    ECR / Inspector events --> rule --> central account's default event bus
#   central account: member rule (../, member_account_ids) --> SNS topic --> ecrscan POST /sns
#   ecrscan --(sts:AssumeRole)--> NAME-member --> ECR and Scheduler of this account
#
# Apply it in each member account (a provider with that account's credentials),
# in the region of its registry. The central module lists the account in
# member_account_ids; ecrscan lists the output `registry` in ECRSCAN_REGISTRIES.

data "aws_arn" "group" {
  arn = aws_scheduler_schedule_group.ecrscan.arn
}

locals {
  partition = data.aws_arn.group.partition
  region    = data.aws_arn.group.region
  account   = data.aws_arn.group.account

  ecr_prefix       = "arn:${local.partition}:ecr:${local.region}:${local.account}:repository"
  scheduler_prefix = "arn:${local.partition}:scheduler:${local.region}:${local.account}"

  # As in the central module: the watched repositories, or every one.
  watched_arns   = [for name in var.repositories : "${local.ecr_prefix}/${name}"]
  scannable_arns = length(var.repositories) == 0 ? ["${local.ecr_prefix}/*"] : local.watched_arns
  watched_resources = length(var.repositories) == 0 ? ["${local.ecr_prefix}/*"] : flatten([
    for arn in local.watched_arns : [arn, "${arn}/sha256:*"]
  ])

  # The central module's event pattern, for this account's ARNs.
  event_pattern = {
    source        = ["aws.ecr", "aws.inspector2"]
    "detail-type" = ["ECR Image Scan", "Inspector2 Scan", "Inspector2 Finding"]
    resources     = [for pattern in local.watched_resources : { wildcard = pattern }]
  }

  central_bus_arn = "arn:${local.partition}:events:${coalesce(var.central_region, local.region)}:${var.central_account_id}:event-bus/default"
}

# --- The role ecrscan assumes in this account -----------------------------------

data "aws_iam_policy_document" "member_trust" {
  statement {
    sid     = "EcrscanAssumesThisRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [var.ecrscan_principal_arn]
    }
  }
}

resource "aws_iam_role" "member" {
  name               = "${var.name}-member"
  description        = "Assumed by ecrscan (${var.ecrscan_principal_arn}) to scan this account's images and manage their schedules"
  assume_role_policy = data.aws_iam_policy_document.member_trust.json
  tags               = var.tags
}

# What the central bot policy grants for ECR, Scheduler and ECS, for this account.
data "aws_iam_policy_document" "member" {
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
}

resource "aws_iam_role_policy" "member" {
  name   = "ecrscan"
  role   = aws_iam_role.member.id
  policy = data.aws_iam_policy_document.member.json
}

# --- Scheduled scans in this account -------------------------------------------
#
# ecrscan names a registry's Scheduler role after ECRSCAN_SCHEDULER_ROLE_ARN with
# this account's id in it: the role has the central one's name, NAME-scheduler.

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

# --- Scan results: to the central account's event bus ---------------------------
#
# EventBridge sends to an event bus in another account with a role of this
# account (AWS recommends one for every event bus target).

data "aws_iam_policy_document" "events_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "events" {
  name               = "${var.name}-member-events"
  description        = "Assumed by EventBridge to forward scan results to the central account ${var.central_account_id}, for ecrscan"
  assume_role_policy = data.aws_iam_policy_document.events_trust.json
  tags               = var.tags
}

data "aws_iam_policy_document" "events_forward" {
  statement {
    actions   = ["events:PutEvents"]
    resources = [local.central_bus_arn]
  }
}

resource "aws_iam_role_policy" "events" {
  name   = "forward-to-central-bus"
  role   = aws_iam_role.events.id
  policy = data.aws_iam_policy_document.events_forward.json
}

resource "aws_cloudwatch_event_rule" "scans" {
  name          = "${var.name}-scan-results"
  description   = "ECR basic and Inspector enhanced scan results and findings of ECR images, for ecrscan in ${var.central_account_id}"
  event_pattern = jsonencode(local.event_pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "central" {
  rule      = aws_cloudwatch_event_rule.scans.name
  target_id = "ecrscan-central-bus"
  arn       = local.central_bus_arn
  role_arn  = aws_iam_role.events.arn
}
