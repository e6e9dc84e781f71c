# Landing bucket for partner file drops.
resource "aws_s3_bucket" "ingest_landing" {
  bucket = "zyx-ingest-landing-dev"
}

resource "aws_s3_bucket_public_access_block" "ingest_landing" {
  bucket = aws_s3_bucket.ingest_landing.id

  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}
