"""Operations: the scheduled jobs (定时任务) that run themselves, the background workers' signs of life, the
status page administrators read to see that mail, search and closing are keeping up, and the health check of
a load balancer."""
