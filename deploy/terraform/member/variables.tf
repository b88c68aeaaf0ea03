variable "central_account_id" {
  description = "The AWS account where ecrscan's topic is (the central module); it must list this account in member_account_ids."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.central_account_id))
    error_message = "central_account_id must be a 12-digit AWS account id."
  }
}

variable "ecrscan_principal_arn" {
  description = "The IAM role (or user) ecrscan runs as in the central account, e.g. the central module's fly_role_arn or an ECS task role: the only principal that may assume NAME-member."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:iam::[0-9]{12}:(role|user)/", var.ecrscan_principal_arn))
    error_message = "ecrscan_principal_arn must be the ARN of an IAM role or user, arn:aws:iam::ACCOUNT:role/NAME."
  }
}

variable "name" {
  description = "Prefix of the roles and the rule; the same as the central module's name, so that NAME-scheduler here matches ECRSCAN_SCHEDULER_ROLE_ARN there and the central bot policy may assume NAME-member."
  type        = string
  default     = "ecrscan"
}

variable "repositories" {
  description = "ECR repository names of this account whose scan results reach ecrscan, and that ecrscan and Scheduler may scan. Empty: every repository in this account and region."
  type        = list(string)
  default     = []
}

variable "schedule_group" {
  description = "EventBridge Scheduler group for ecrscan's schedules in this account; the same as ECRSCAN_SCHEDULE_GROUP."
  type        = string
  default     = "ecrscan"
}

variable "central_region" {
  description = "The region of the central account's topic and event bus. Null: this account's region."
  type        = string
  default     = null
}

variable "registry_alias" {
  description = "The name ecrscan gives this registry (ALIAS/REPO:TAG in commands), for the output registry. Null: this account's id."
  type        = string
  default     = null

  validation {
    condition     = var.registry_alias == null || can(regex("^[A-Za-z0-9][A-Za-z0-9_-]*$", var.registry_alias))
    error_message = "registry_alias may hold letters, digits, - and _ only."
  }
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
