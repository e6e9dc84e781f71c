resource "aws_cloudwatch_log_group" "ingest" {
  name              = "/zyx/ingest/pipeline-${var.environment}"
  retention_in_days = var.log_retention_days
}
