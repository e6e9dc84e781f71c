# Lets the report job read and write its own archive prefix, nothing more.
data "aws_iam_policy_document" "report_writer" {
  statement {
    sid     = "ArchiveObjects"
    effect  = "Allow"
    actions = ["s3:GetObject", "s3:PutObject"]
    resources = [
      "${aws_s3_bucket.report_archive.arn}/reports/*",
    ]
  }

  statement {
    sid       = "ArchiveListing"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.report_archive.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["reports/*"]
    }
  }
}

resource "aws_iam_policy" "report_writer" {
  name   = "zyx-report-writer-dev"
  policy = data.aws_iam_policy_document.report_writer.json
}
