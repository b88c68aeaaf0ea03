terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      # 5.81 made aws_iam_openid_connect_provider's thumbprint_list optional
      # (fly.tf leaves it to IAM, as AWS now allows).
      version = ">= 5.81"
    }
  }
}
