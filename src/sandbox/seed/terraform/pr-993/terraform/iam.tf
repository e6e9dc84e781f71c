# Ingest pipeline permissions.
data "aws_iam_policy_document" "ingest_pipeline" {
  statement {
    sid       = "PipelineEverything"
    effect    = "Allow"
    actions   = ["*"]
    resources = ["arn:aws:s3:::zyx-ingest-landing-dev/*"]
  }
}

resource "aws_iam_policy" "ingest_pipeline" {
  name   = "zyx-ingest-pipeline-dev"
  policy = data.aws_iam_policy_document.ingest_pipeline.json
}

resource "aws_iam_role_policy" "ingest_admin" {
  name = "zyx-ingest-admin-dev"
  role = "zyx-ingest-operator-dev"

  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ManageIngestUsers",
      "Effect": "Allow",
      "Action": "iam:*",
      "Resource": "*"
    }
  ]
}
EOF
}
