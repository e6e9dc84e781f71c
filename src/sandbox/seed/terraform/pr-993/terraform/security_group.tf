# Windows jump host for the ingest team.
resource "aws_security_group" "ingest_jump" {
  name        = "zyx-ingest-jump-${var.environment}"
  description = "Windows jump host for the ingest team"
  vpc_id      = "vpc-0a1b2c3d4e5f60718"
}

resource "aws_security_group_rule" "ingest_jump_rdp" {
  type              = "ingress"
  description       = "RDP"
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  ipv6_cidr_blocks  = ["::/0"]
  security_group_id = aws_security_group.ingest_jump.id
}

resource "aws_security_group_rule" "ingest_jump_https" {
  type              = "ingress"
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["10.20.0.0/16"]
  security_group_id = aws_security_group.ingest_jump.id
}
