# ecrscan on fly.io without access keys: Fly's OpenID Connect tokens.
#
# With the Fly secret AWS_ROLE_ARN set, Fly's init writes the machine's OIDC token
# (audience sts.amazonaws.com) to /.fly/oidc_token, renews it every few minutes,
# and sets AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_SESSION_NAME for ecrscan. The
# AWS SDK's standard credential chain then calls AssumeRoleWithWebIdentity for
# the role below, and again before its credentials expire: no access key exists.
#
#   Fly machine --(OIDC token, iss https://oidc.fly.io/ORG, sub ORG:APP:MACHINE)-->
#     STS AssumeRoleWithWebIdentity --> role NAME-fly (bot policy)

locals {
  fly               = var.fly_org == null ? [] : [var.fly_org]
  fly_issuer        = "oidc.fly.io/${coalesce(var.fly_org, "none")}"
  fly_provider_arns = var.fly_oidc_provider_arn == null ? aws_iam_openid_connect_provider.fly[*].arn : [var.fly_oidc_provider_arn]
}

# IAM fetches the issuer's certificate chain itself (no thumbprint needed).
resource "aws_iam_openid_connect_provider" "fly" {
  count          = var.fly_org != null && var.fly_oidc_provider_arn == null ? 1 : 0
  url            = "https://${local.fly_issuer}"
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

data "aws_iam_policy_document" "fly_trust" {
  count = length(local.fly)

  statement {
    sid     = "MachinesOfTheFlyApp"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = local.fly_provider_arns
    }

    condition {
      test     = "StringEquals"
      variable = "${local.fly_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Any machine of this app in this organisation, and nothing else of Fly's.
    condition {
      test     = "StringLike"
      variable = "${local.fly_issuer}:sub"
      values   = ["${var.fly_org}:${coalesce(var.fly_app, "none")}:*"]
    }
  }
}

resource "aws_iam_role" "fly" {
  count              = length(local.fly)
  name               = "${var.name}-fly"
  description        = "Assumed by ecrscan's Fly machines with their OIDC token (fly.io app ${coalesce(var.fly_app, "none")})"
  assume_role_policy = data.aws_iam_policy_document.fly_trust[0].json
  tags               = var.tags

  lifecycle {
    precondition {
      condition     = var.fly_app != null
      error_message = "Set fly_app to the Fly app that runs ecrscan: only its machines may assume the role."
    }
  }
}

resource "aws_iam_role_policy_attachment" "fly" {
  count      = length(aws_iam_role.fly)
  role       = aws_iam_role.fly[0].name
  policy_arn = aws_iam_policy.bot.arn
}
