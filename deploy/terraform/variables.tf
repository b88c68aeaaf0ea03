variable "ecrscan_url" {
  description = "Where ecrscan is served, e.g. https://ecrscan.fly.dev. SNS delivers scan results to this URL + /sns over HTTPS. ecrscan must already run with the topic's ARN in ECRSCAN_SNS_TOPIC_ARNS, because it confirms the subscription itself."
  type        = string

  validation {
    condition     = can(regex("^https://[^/]+", var.ecrscan_url))
    error_message = "ecrscan_url must be an https:// URL (SNS delivers only to HTTPS endpoints here)."
  }
}

variable "name" {
  description = "Name of the SNS topic, the EventBridge rule and the IAM role and policy (as a prefix). The topic's ARN is arn:aws:sns:REGION:ACCOUNT:NAME, known before you apply."
  type        = string
  default     = "ecrscan"
}

variable "repositories" {
  description = "ECR repository names whose scan results reach ecrscan, and that ecrscan and Scheduler may scan. Empty: every repository in the account and region."
  type        = list(string)
  default     = []
}

variable "schedule_group" {
  description = "EventBridge Scheduler group for ecrscan's schedules; set ECRSCAN_SCHEDULE_GROUP to the same name."
  type        = string
  default     = "ecrscan"
}

variable "bot_user_name" {
  description = "An existing IAM user whose access keys ecrscan runs with; the bot policy is attached to it. Null (the default, and the way without long-lived keys): use fly_org on fly.io, or attach the policy (output bot_policy_arn) to the role ecrscan's task runs as."
  type        = string
  default     = null
}

variable "member_account_ids" {
  description = "Other AWS accounts whose registries ecrscan watches, each set up with the member/ module: this account's default event bus accepts their events, a rule sends them to the topic, and the bot policy may assume their NAME-member roles."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.member_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "member_account_ids must be 12-digit AWS account ids."
  }
}

variable "fly_org" {
  description = "The fly.io organisation (its slug, from `fly orgs list`) whose app runs ecrscan. Set: this module trusts Fly's OpenID Connect issuer https://oidc.fly.io/ORG and creates the role NAME-fly, with the bot policy, for the Fly secret AWS_ROLE_ARN. Null: no Fly role."
  type        = string
  default     = null

  validation {
    condition     = var.fly_org == null || can(regex("^[a-z0-9][a-z0-9-]*$", var.fly_org))
    error_message = "fly_org must be a Fly organisation slug (lower-case letters, digits, dashes)."
  }
}

variable "fly_app" {
  description = "The Fly app that runs ecrscan, with fly_org: only its machines (OIDC subject ORG:APP:MACHINE) may assume the NAME-fly role."
  type        = string
  default     = null

  validation {
    condition     = var.fly_app == null || can(regex("^[a-z0-9][a-z0-9-]*$", var.fly_app))
    error_message = "fly_app must be a Fly app name (lower-case letters, digits, dashes)."
  }
}

variable "fly_oidc_provider_arn" {
  description = "The ARN of an IAM OIDC provider for https://oidc.fly.io/ORG that this account already has (IAM allows one per URL). Null: the module creates it."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
