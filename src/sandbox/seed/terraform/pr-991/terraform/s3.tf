# Storage for the application audit-log export (CHG-18422).
resource "aws_s3_bucket" "audit_logs" {
  bucket = "zyx-platform-audit-logs-dev"

  tags = {
    Environment = "development"
    Owner       = "platform-infra"
    DataClass   = "internal"
  }
}

resource "aws_s3_bucket_versioning" "audit_logs" {
  bucket = aws_s3_bucket.audit_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "audit_logs" {
  bucket = aws_s3_bucket.audit_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
