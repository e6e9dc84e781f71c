# Storage for the nightly report archive.
resource "aws_s3_bucket" "report_archive" {
  bucket = "zyx-platform-report-archive-dev"

  tags = {
    Environment = "development"
    Owner       = "platform-infra"
  }
}

resource "aws_s3_bucket_public_access_block" "report_archive" {
  bucket = aws_s3_bucket.report_archive.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "report_archive" {
  bucket = aws_s3_bucket.report_archive.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
