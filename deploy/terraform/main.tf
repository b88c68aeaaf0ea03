# The AWS side of ecrscan: scan events to its /sns endpoint, the role EventBridge
# Scheduler assumes to start scans, and the policy for ecrscan's own credentials.
#
#   ECR "ECR Image Scan" / Inspector "Inspector2 Scan", "Inspector2 Finding"
#     --> EventBridge rule --> SNS topic --> HTTPS subscription --> ecrscan POST /sns

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
  tags = var.tags
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

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.scans.arn]
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
}

resource "aws_iam_policy" "bot" {
  name        = "${var.name}-bot"
  description = "What ecrscan's own AWS credentials need: scan, read findings, manage its schedules"
  policy      = data.aws_iam_policy_document.bot.json
  tags        = var.tags
}

resource "aws_iam_user_policy_attachment" "bot" {
  count      = var.bot_user_name == null ? 0 : 1
  user       = var.bot_user_name
  policy_arn = aws_iam_policy.bot.arn
}
