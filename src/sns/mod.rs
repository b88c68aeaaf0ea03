//! SNS HTTPS subscription endpoint: verification, messages, handler.
