# Log group for the report job, kept for 90 days.
resource "aws_cloudwatch_log_group" "report_job" {
  name              = "/zyx/platform/report-job-dev"
  retention_in_days = 90

  tags = {
    Environment = "development"
  }
}
