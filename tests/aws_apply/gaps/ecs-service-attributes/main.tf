# Minimal root of a moto gap (see README.md): real AWS applies it with an empty second plan.

provider "aws" {
  region = "us-east-1"
}

resource "aws_vpc" "this" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.this.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.this.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "us-east-1b"
}

# A health check grace period needs a load balancer: an internal one is enough.
resource "aws_lb" "this" {
  name               = "gap"
  internal           = true
  load_balancer_type = "application"
  subnets            = [aws_subnet.a.id, aws_subnet.b.id]
}

resource "aws_lb_target_group" "this" {
  name        = "gap"
  vpc_id      = aws_vpc.this.id
  target_type = "ip"
  protocol    = "HTTP"
  port        = 80
}

resource "aws_lb_listener" "this" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}

resource "aws_ecs_cluster" "this" {
  name = "gap"
}

resource "aws_ecs_task_definition" "this" {
  family                   = "gap"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([
    { name = "app", image = "public.ecr.aws/nginx/nginx:1.27", essential = true, portMappings = [{ containerPort = 80 }] },
  ])
}

resource "aws_ecs_service" "this" {
  name                              = "gap"
  cluster                           = aws_ecs_cluster.this.arn
  task_definition                   = aws_ecs_task_definition.this.arn
  desired_count                     = 1
  launch_type                       = "FARGATE"
  enable_ecs_managed_tags           = true
  availability_zone_rebalancing     = "ENABLED"
  health_check_grace_period_seconds = 60

  network_configuration {
    subnets = [aws_subnet.a.id, aws_subnet.b.id]
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this.arn
    container_name   = "app"
    container_port   = 80
  }

  depends_on = [aws_lb_listener.this]
}
