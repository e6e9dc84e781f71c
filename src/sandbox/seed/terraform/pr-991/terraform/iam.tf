# Lets the export job write audit logs to the bucket.
resource "aws_iam_policy" "audit_export" {
  name        = "zyx-audit-export-dev"
  description = "Audit log export job access to the audit bucket"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "AuditBucketAccess"
        Effect = "Allow"
        Action = ["s3:*"]
        Resource = [
          aws_s3_bucket.audit_logs.arn,
          "${aws_s3_bucket.audit_logs.arn}/*",
        ]
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "audit_export" {
  role       = "zyx-audit-export-dev"
  policy_arn = aws_iam_policy.audit_export.arn
}
