# Bastion access for the export job hosts.
resource "aws_security_group" "export_bastion" {
  name        = "zyx-export-bastion-dev"
  description = "Bastion for the audit export hosts"
  vpc_id      = "vpc-0a1b2c3d4e5f60718"

  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "Outbound HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Environment = "development"
  }
}
