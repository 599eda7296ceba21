# Minimal root of a moto gap (see README.md): real AWS applies it with an empty second plan.

provider "aws" {
  region = "us-east-1"
}

resource "aws_vpc" "this" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_security_group" "a" {
  name        = "a"
  description = "a"
  vpc_id      = aws_vpc.this.id
}

resource "aws_security_group" "b" {
  name        = "b"
  description = "b"
  vpc_id      = aws_vpc.this.id
}

resource "aws_vpc_security_group_ingress_rule" "from_b" {
  security_group_id            = aws_security_group.a.id
  description                  = "Port 5432 from b"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.b.id
}
