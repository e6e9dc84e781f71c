# Log group for the audit export job.
resource "aws_cloudwatch_log_group" "audit_export" {
  name = "/zyx/platform/audit-export-dev"

  tags = {
    Environment = "development"
    Owner       = "platform-infra"
  }
}

resource "aws_cloudwatch_log_stream" "audit_export" {
  name           = "export-job"
  log_group_name = aws_cloudwatch_log_group.audit_export.name
}
